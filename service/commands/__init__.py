"""Use cases: one function each, owning its transaction.

A command replays an idempotency key before anything else, validates inside
its transaction and returns the jobs to enqueue once it has committed. API
resolvers and the CLI parse their input, call a command and map its refusals
to their own errors.
"""
