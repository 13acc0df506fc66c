"""The pairs a confirmed proposal made, before pairs kept their score: the score is the one the
proposal gave the two (what the committee confirmed). Pairs made by hand before stay without one."""

from django.db import migrations


def scores_from_proposals(apps, schema_editor):
    Pair = apps.get_model("pairs", "Pair")
    ProposalPair = apps.get_model("matching", "ProposalPair")
    scored = {}
    for mentee, mentor, score in ProposalPair.objects.filter(proposal__status="confirmed").values_list(
        "mentee_id", "mentor_id", "score"
    ):
        scored[(mentee, mentor)] = round(score)
    for pair in Pair.objects.filter(match_score__isnull=True).only("pk", "mentee_id", "mentor_id"):
        if (score := scored.get((pair.mentee_id, pair.mentor_id))) is not None:
            Pair.objects.filter(pk=pair.pk).update(match_score=max(score, 0))


class Migration(migrations.Migration):
    dependencies = [("matching", "0005_committee_titleterm_permissions"), ("pairs", "0018_pair_match_score")]
    operations = [migrations.RunPython(scores_from_proposals, migrations.RunPython.noop)]
