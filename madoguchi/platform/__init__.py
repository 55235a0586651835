"""What every app shares and none owns: the mail outbox and its worker, rate limits, API tokens,
the login lockout, the JSON API's error and paging helpers, the one text normaliser and the
membership lookup.

It sits right above `lib` and below every domain app, so it imports none of them (not even
directory: foreign keys to Organization and User are lazy strings, and a membership is looked
up through `user.membership`). Apps plug into it instead — a periodic job for the worker
(jobs.py), a named rate-limit policy (ratelimit.py).
"""
