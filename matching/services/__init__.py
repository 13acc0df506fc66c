"""The committee's decision layer, one concept a module:

- `pool`: a cycle's mentees and mentors as plain values for scoring (reads);
- `suggestions`: the ranked mentors for one mentee, and one mentor compared (reads);
- `proposal`: the best-overall assignment, its adjustments and its confirmation (writes).

Scoring and assignment themselves are pure (`matching.scoring`, `matching.assignment`);
every pair is made by `pairs.services.pairing.pair_create`.
"""
