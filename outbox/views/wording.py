"""Committee → Emails: each kind of email in the committee's own words, previewed with a
real pair or member, sent to oneself as a test, overridden for one cycle, switched off.
Who may use it is the outbox's own permissions (the committee's group has them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .. import kinds
from ..forms import SwitchForm, WordingForm
from ..kinds import Kind
from ..models import EmailTemplate, KindSetting
from ..rendering import words_of
from ..services import wording as services

HISTORY = 12


def _kind(name: str) -> Kind:
    kind = kinds.get(name)
    if kind is None:
        raise Http404("No such kind of email.")
    return kind


def _cycles():
    """The cycles a wording may be overridden for, newest first (the model is named by the
    foreign key: this app imports nothing of `members`)."""
    return EmailTemplate._meta.get_field("cycle").related_model.objects.all()


def _cycle(request: HttpRequest, kind: Kind):
    """The cycle of `?cycle=` (None: the program's wording); 404 for one that does not exist."""
    raw = request.GET.get("cycle", "")
    if not raw or not kind.per_cycle:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404("No such cycle.") from None
    cycle = _cycles().filter(pk=pk).first() if 0 < pk < 2**63 else None
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def _where(kind: Kind, cycle) -> str:
    return reverse("outbox:template-edit", args=[kind.name]) + (f"?cycle={cycle.pk}" if cycle else "")


@login_required
@permission_required("outbox.view_emailtemplate", raise_exception=True)
def template_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: every kind of email the program sends, whose
    wording each uses, whether it is switched on, and a link to edit it."""
    newest = {t.kind: t for t in EmailTemplate.objects.newest().filter(cycle__isnull=True).select_related("saved_by")}
    own_for_cycles = dict(
        EmailTemplate.objects.newest()
        .filter(cycle__isnull=False, follows_default=False)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    settings = {s.kind: s for s in KindSetting.objects.all()}
    rows = [
        {
            "kind": k,
            "latest": newest.get(k.name),
            "cycles": own_for_cycles.get(k.name, 0),
            "setting": settings.get(k.name) or KindSetting(kind=k.name),
        }
        for k in kinds.declared()
    ]
    return render(request, "outbox/template_list.html", {"rows": rows})


def _editor_context(kind: Kind, cycle, form: WordingForm, *, in_use=False, history=None, **more) -> dict:
    """The editor's page around `form`; `in_use` and `history` when the view has read them
    already (in_use=False: not read; None is the shipped wording)."""
    cycle_id = cycle.pk if cycle else None
    if in_use is False:
        in_use = EmailTemplate.objects.in_use(kind.name, cycle_id)
    if history is None:
        history = list(EmailTemplate.objects.of(kind.name, cycle_id)[:HISTORY])
    setting = KindSetting.of(kind.name)
    shown = {f"show_{p.name}": p.name not in setting.hidden_placeholders for p in kind.placeholders if p.can_hide}
    return {
        "kind": kind,
        "cycle": cycle,
        "cycles": list(_cycles()) if kind.per_cycle else [],
        "cycles_with_own": set(
            EmailTemplate.objects.newest_of_cycles()
            .filter(kind=kind.name, follows_default=False)
            .order_by()  # a set: no join of the cycles for their order
            .values_list("cycle_id", flat=True)
        ),
        "form": form,
        "in_use": in_use,
        "history": history,
        "placeholders": kind.placeholders_now(),
        "setting": setting,
        "switch_form": SwitchForm(
            kind=kind,
            initial={"sending": setting.sending, **shown},
        ),
        **more,
    }


@login_required
@permission_required("outbox.add_emailtemplate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    """The Mentoring Committee and site admins: one kind's wording (the program's, or one
    cycle's with `?cycle=`) — find a real example, preview, send oneself a test, save."""
    kind = _kind(kind)
    cycle = _cycle(request, kind)
    cycle_id = cycle.pk if cycle else None
    if request.method == "GET":
        # The newest version is the history's first, and the one in use unless a cycle has
        # none of its own: read once.
        history = list(EmailTemplate.objects.of(kind.name, cycle_id)[:HISTORY])
        latest = history[0] if history else None
        # A cycle without words of its own starts from the program's, as its emails do now.
        in_use, subject, body = services.words_in_use(kind, cycle_id, versions=history)
        initial = {"subject": subject, "body": body, "based_on": latest.pk if latest else None}
        form = WordingForm(initial=initial, kind=kind, examples=kind.examples("") if kind.examples else [])
        context = _editor_context(kind, cycle, form, in_use=in_use, history=history)
        return render(request, "outbox/template_edit.html", context)

    words = request.POST.get("find", "").replace("\x00", " ")[:100]
    examples = kind.examples(words) if kind.examples else []
    form = WordingForm(request.POST, kind=kind, examples=examples)
    preview = None
    if form.is_valid():
        data = form.cleaned_data
        action = data["action"] or "preview"
        try:
            if action == "save":
                template, saved = services.wording_save(
                    kind=kind.name,
                    cycle_id=cycle_id,
                    subject=data["subject"],
                    body=data["body"],
                    based_on=data["based_on"],
                    by=request.user,
                )
                if saved:
                    messages.success(
                        request,
                        f"Saved as version {template.version}. Emails written from now on use it; "
                        "those already written keep their words.",
                    )
                else:
                    messages.info(request, "Nothing to save: this is already the wording in use.")
                return redirect(_where(kind, cycle))
            if action == "test":
                email, sent = services.wording_test_send(
                    kind=kind.name, subject=data["subject"], body=data["body"], example=data["example"], by=request.user
                )
                if sent:
                    messages.success(request, f"A test is on its way to {email.to} (it is in the Outbox).")
                else:
                    messages.info(
                        request,
                        f"This test was already sent to {email.to} at {timezone.localtime(email.created_at):%H:%M}: "
                        "change the words or the example to send another.",
                    )
            if action in ("preview", "test"):
                to, rendered = services.wording_preview(
                    kind=kind.name, subject=data["subject"], body=data["body"], example=data["example"]
                )
                preview = {"to": to, "rendered": rendered}
            if action == "find":
                if examples:
                    messages.info(request, f"{len(examples)} found: choose one under “Preview with”.")
                else:
                    messages.info(request, f"No {kind.example_label} matches “{words}”.")
        except services.StaleWording as e:
            messages.error(request, str(e))
            # The next press saves over the newer version, as the message says.
            latest = EmailTemplate.objects.latest_of(kind.name, cycle_id)
            form.data = form.data.copy()
            form.data["based_on"] = str(latest.pk) if latest else ""
        except services.WordingError as e:
            messages.error(request, str(e))
    else:
        messages.error(request, "Nothing was saved: see the message under the field.")
    return render(request, "outbox/template_edit.html", _editor_context(kind, cycle, form, preview=preview))


@login_required
@permission_required("outbox.add_emailtemplate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def template_restore(request: HttpRequest, kind: str) -> HttpResponse:
    """The Mentoring Committee and site admins: after a confirmation, the shipped wording
    again (or, for one cycle, the program's)."""
    kind = _kind(kind)
    cycle = _cycle(request, kind)
    cycle_id = cycle.pk if cycle else None
    if request.method == "POST":
        try:
            template, changed = services.wording_restore(kind=kind.name, cycle_id=cycle_id, by=request.user)
        except services.WordingError as e:
            messages.error(request, str(e))
        else:
            if not changed:
                messages.info(request, "Nothing to restore: it already uses this wording.")
            elif cycle:
                messages.success(request, f"{cycle} uses the program's wording again (version {template.version}).")
            else:
                messages.success(request, f"The shipped wording is back (version {template.version}).")
        return redirect(_where(kind, cycle))
    if cycle:
        back_to = EmailTemplate.objects.in_use(kind.name, None)
        subject, body = words_of(kind, back_to)
    else:
        subject, body = kind.subject, kind.body
    return render(
        request,
        "outbox/template_restore.html",
        {"kind": kind, "cycle": cycle, "subject": subject, "body": body, "back": _where(kind, cycle)},
    )


@login_required
@permission_required("outbox.add_emailtemplate", raise_exception=True)
@require_POST
def template_switch(request: HttpRequest, kind: str) -> HttpResponse:
    """The Mentoring Committee and site admins: switch an optional kind on or off for the
    program, and turn a placeholder off (why a pair was matched)."""
    kind = _kind(kind)
    form = SwitchForm(request.POST, kind=kind)
    if form.is_valid():
        sending = form.cleaned_data["sending"] if kind.optional else True
        try:
            changed = services.kind_switch(kind=kind.name, sending=sending, shown=form.shown(), by=request.user)
        except services.WordingError as e:
            messages.error(request, str(e))
        else:
            if not changed:
                messages.info(request, "Nothing changed: the switches were already so.")
            elif not sending:
                messages.success(request, f"Switched off: no {kind.plural} are sent; the Outbox lists them as skipped.")
            else:
                messages.success(request, f"Saved: {kind.plural} are sent, saying what the switches below say.")
    return redirect(reverse("outbox:template-edit", args=[kind.name]) + "#switches")
