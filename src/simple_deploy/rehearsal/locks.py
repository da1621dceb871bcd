"""What a stuck database step waits for, in PostgreSQL's own words (pg_stat_activity).

A migration that never ends is most often waiting for a lock: another connection
holds it, and that connection waits for something else. The rehearsal asks
PostgreSQL before it stops the stuck command (the evidence goes with it), with
the platform's own driver, in the platform's environment (the virtual
environment or a container of the image), under a short limit of its own.
"""

from __future__ import annotations

import json

__all__ = ["PROBE_SCRIPT", "PROBE_URL_VAR", "probe_url", "describe"]

# The database URL reaches the probe in this variable, never on a command line.
PROBE_URL_VAR = "SIMPLE_DEPLOY_PROBE_DATABASE_URL"
_MARKER = "SIMPLE_DEPLOY_PG_ACTIVITY="
_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}

# Every other client connection to the rehearsal's database: its state, what it
# waits for, the connections holding the lock it waits for, and its query.
_QUERY = (
    "SELECT pid, state, coalesce(wait_event_type, ''), coalesce(wait_event, ''), "
    "coalesce(extract(epoch FROM now() - coalesce(state_change, query_start))::int, 0), "
    "pg_blocking_pids(pid), left(regexp_replace(query, '\\s+', ' ', 'g'), 200) "
    "FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND backend_type = 'client backend' ORDER BY backend_start"
)
PROBE_SCRIPT = f"""
import json, os
url = os.environ[{PROBE_URL_VAR!r}]
try:
    import psycopg as driver
except ImportError:
    import psycopg2 as driver
# Its own limits: connecting, and the query, may take 5 s each.
connection = driver.connect(url, connect_timeout=5, options="-c statement_timeout=5000")
cursor = connection.cursor()
cursor.execute({_QUERY!r})
for row in cursor.fetchall():
    print({_MARKER!r} + json.dumps(list(row), default=str))
connection.close()
"""


def probe_url(database_url: str) -> str | None:
    """The URL libpq reads for a PostgreSQL database; None for any other database."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        return None
    return f"postgresql://{rest}"


def describe(returncode: int, output: str) -> str:
    """The probe's rows as sentences: the lock waits first, then every other connection."""
    rows = []
    for line in output.splitlines():
        if line.startswith(_MARKER):
            try:
                rows.append(json.loads(line[len(_MARKER) :]))
            except ValueError:
                continue
    if returncode != 0:
        last = (output.strip().splitlines() or ["no output"])[-1]
        return f"(could not ask PostgreSQL what it waits for: {last})"
    if not rows:
        return "PostgreSQL (pg_stat_activity) shows no other connection to the database."
    by_pid = {row[0]: row for row in rows}
    waits = [row for row in rows if row[2] == "Lock"]
    lines = ["What PostgreSQL reports (pg_stat_activity) for the rehearsal's database:"]
    for pid, state, _kind, event, seconds, blockers, query in waits:
        held = ", ".join(f"pid {b}" for b in blockers) or "another connection"
        lines.append(
            f"  lock wait: pid {pid} ({state or 'unknown'} for {seconds} s) waits for a "
            f"{event or 'lock'} lock held by {held}: {query}"
        )
    for pid, state, kind, event, seconds, _blockers, query in rows:
        if kind == "Lock":
            continue
        waiting = f", waiting on {kind} {event}" if kind else ""
        lines.append(f"  pid {pid}: {state or 'unknown'} for {seconds} s{waiting}: {query}")
    idle_holders = {
        blocker
        for row in waits
        for blocker in row[5]
        if by_pid.get(blocker, [None, ""])[1] == "idle in transaction"
    }
    if idle_holders:
        lines.append(
            "The connection holding the lock is idle in its transaction: its own client "
            "sends nothing more, most likely because it is the same process, waiting for the "
            "blocked query. One process with two connections to one database (a second "
            "DATABASES alias, or a data migration that queries through another "
            "connection than the migration's) waits on itself for ever: migrate on one "
            "connection."
        )
    elif not waits:
        lines.append("No connection waits for a lock.")
    return "\n".join(lines)
