"""A local fake of the Zoho Invoice REST API v3 and Zoho Accounts OAuth, on 127.0.0.1.

Used by the tap's end-to-end tests, the Meltano end-to-end tests, soak tests and `make demo`.

In process::

    from sandbox.server import running_sandbox

    with running_sandbox(contacts_per_org=150, rate_limit_per_minute=None) as sb:
        config = sb.tap_config(organization_ids=["60012345678"])
        sb.touch_contacts("60012345678", n=3)

Zoho's daily quota is per organization and reported on every response (`x-rate-limit-*`):
`spend_quota(org_id, n)` spends it as the organization's other integrations would, and
`new_day()` starts a simulated day (tests and benchmarks never wait for midnight).

As a process: `zoho-invoice-sandbox --port 0 --port-file PATH`, driven with
`sandbox.testing.RemoteSandbox(base_url)` (same control methods, over POST /_sandbox/<name>) or
started by `sandbox.testing.sandbox_process([...])`.

Modules: `config` (settings), `data` (seeded organizations and contacts), `render` (Zoho JSON),
`store` (state and control operations), `tokens` (OAuth), `limits` (throttles, faults),
`search` (text search), `api` (endpoints), `handlers` (HTTP), `control` (shared control
surface), `server` (CLI, `running_sandbox`), `testing` (remote client).
"""
