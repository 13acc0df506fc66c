"""The outbox's pages, one concept a module: the emails (the Outbox page, one email, "Send
again"), the committee's wording of each kind (Committee → Emails), and what a member
receives (their switches, the unsubscribe page)."""
