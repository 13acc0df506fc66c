"""The pair services, one concept a module, each raising its own error:

- `pairing`: making, ending and completing a pair (`pair_create`: the one way a pair is made);
- `offers`: accept first — a mentee offered to a mentor, the pair made when they accept;
- `contact`: first contact confirmed ("We have been in touch"), and the nudges when none comes;
- `year`: what the pair's members write (check-ins, goals, the evaluation, "gone quiet");
- `reminders`: the periodic emails that keep the year alive;
- `surveys`: the midpoint, closing and exit surveys — the committee's writes, a side's answers,
  the invitations and the one reminder;
- `orientation`: the attendance sheet of the orientation at the conference where the year starts;
- `privacy`: a member's own data and account deletion.

Every email they write is a row of the outbox (`outbox.services.email_write`).
"""
