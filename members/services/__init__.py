"""Writes that touch several rows of members, one concept a module, each raising its own error:

- `membership`: joining, renewing, opting in and out, the renewal reminders;
- `cycles`: opening and closing a cycle's opt-ins (one cycle open at a time);
- `resources`: suggesting, adding and reviewing resources;
- `program`: saving the program's settings (the Program page and the presets).

Each service is atomic: it does everything asked or raises and changes nothing, so a
view can show the message and the member can correct the form.
"""
