"""Background jobs: reports are made off the request, on RQ workers or in-process.

A job is a `ReportJob` row; what it makes and how is the reports services' business
(`webapp.services.report_runs.run_job`). This package only gets a committed job run:

- `queue.enqueue` puts it on the RQ queue `REPORT_QUEUE` ("reports") when `REDIS_URL` is
  set, where any number of workers (`flask --app webapp jobs worker`, `make worker`), on any
  machine that reaches the same Redis and database, take it; without `REDIS_URL` (the
  `make run` default) it runs in a thread of the web process, as it would on one machine.
- `worker.perform` is what an RQ worker runs: the app's own context around `run_job`.
- `heartbeat.beating` stamps a running job every few seconds, so a job whose worker died is
  seen as failed within `REPORT_JOB_STALE_AFTER` (30 seconds) rather than waited for.
"""
