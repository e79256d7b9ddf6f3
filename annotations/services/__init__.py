"""Writes. Each service checks access through annotations.access, validates, writes in one
transaction and schedules side effects (tasks) after commit.

Lock order
----------
Every service that locks rows (SELECT ... FOR UPDATE) takes them in this one order, so that two
writes on the same article wait for each other instead of deadlocking (a correction of the text
and the acceptance of its candidates once did, in opposite orders):

1. the workspace row (settings, members, invitations), never after anything below;
2. the article row: the gate. A write that changes the article's text or details, or writes
   more than one of its claims, highlights or candidates, locks the article first
   (revisions, extraction, candidate decisions, claim creation, withdrawals, adjudication,
   submission and merging, assignment);
3. the article's claims, in ascending id;
4. the article's candidates, in ascending id.

Rows that hang from these (highlights, assessments, events, matches, revisions) are written
under those locks, never locked on their own first.

These locks are FOR NO KEY UPDATE (`select_for_update(no_key=True)`), never plain FOR UPDATE:
a write that numbers a live event (services.live) holds its article's feed row until it commits,
and its commit checks the foreign keys it wrote with a key-share lock on the workspace, article
and claim rows they point at. A plain FOR UPDATE on one of those rows, taken by a write that then
waits for the feed row, blocks that check: the two deadlock (a comment committing against a new
claim on the same article did, tests/test_live_feed_locks.py). NO KEY UPDATE still serialises the
writers, which is all the order above is for, and lets key-share checks through.

Two rules keep the order honest:

- Lock with `select_for_update(of=("self",))` whenever the query joins another table
  (select_related): a plain FOR UPDATE over a join locks both tables' rows in one statement, in
  whatever order the plan reads them, which is how the article and a candidate were once locked
  "at once" against a correction holding the article and waiting for the candidate.
- A write about one claim alone (an assessment, publishing, a status refresh) may lock that claim
  without its article, and then locks nothing else of the article: it takes step 3 only.

Under the article's lock a service may take the claims and candidates it needs as it finds them
(accepting a candidate locks it, then the claim it joins): nobody else holding any of them can be
waiting for the article, because rule 2 forbids it and every other multi-row write of the article
is queued behind the same lock. Long work (scoring an article's sentences, matching candidates
against checked claims) runs outside these locks: extraction scores first, then applies its
result in one short transaction checked against the article's version (services.extraction).
"""
