"""The cluster fault test's own timing (bench/cluster_faults.py), without servers: the kill comes
once every session has a page open, and on a slow machine that can be after the load's planned
length; the sessions must still be running then, so that the kill lands in the middle of the load
and each session shows that it carried on."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import cluster_faults
from bench.cluster_faults import Outcome, kill_when_settled
from bench.many_sessions import Plan, Visit


class SlowSession:
    """A session as bench.many_sessions.Session runs one: page after page while
    `plan.until(deadline)` lasts, its first page rendered only after `first_s` (a busy
    machine)."""

    def __init__(self, number: int, plan: Plan, first_s: float) -> None:
        self.number, self.plan, self.first_s = number, plan, first_s
        self.visits: list[Visit] = []

    async def run(self, deadline: float) -> list[Visit]:
        takes = self.first_s
        while time.monotonic() < self.plan.until(deadline):
            visit = Visit(self.number, "briefing", "open", "url",
                          time.monotonic() - self.plan.started)
            self.visits.append(visit)
            await asyncio.sleep(takes)
            visit.seconds, takes = takes, 0.05
        return self.visits

    async def server(self) -> str:
        return "s1" if self.number % 2 else "s2"


def test_the_sessions_go_on_past_a_kill_that_comes_after_the_planned_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_faults, "RECOVERY_SECONDS", 0.2)
    killed: list[float] = []

    async def kill() -> None:
        killed.append(time.monotonic())

    async def scenario() -> tuple[Plan, Outcome, list[SlowSession]]:
        started = time.monotonic()
        plan = Plan("http://127.0.0.1:1", {}, {}, started, 5.0, set(),
                    server_cookie="NORTHSTAR_SERVER")
        outcome = Outcome()
        # the first pages render 0.6 s in, after the load's planned length of 0.3 s
        runners = [SlowSession(number, plan, first_s=0.6) for number in (1, 2, 3, 4)]
        killer = asyncio.create_task(kill_when_settled(
            runners, plan, outcome, kill_after=0.1, carry_on=0.3, kill=kill))
        await asyncio.gather(*(runner.run(started + 0.3) for runner in runners))
        await killer
        return plan, outcome, runners

    # in a thread of its own: the browser tests' Playwright keeps an event loop running in
    # this one for the rest of the session
    with ThreadPoolExecutor(1) as pool:
        plan, outcome, runners = pool.submit(asyncio.run, scenario()).result()
    assert len(killed) == 1
    assert outcome.home == {1: "s1", 2: "s2", 3: "s1", 4: "s2"}
    for runner in runners:
        after = [visit for visit in runner.visits
                 if visit.started_s >= outcome.kill_s + cluster_faults.RECOVERY_SECONDS
                 and visit.seconds is not None]
        assert after, (f"session {runner.number} stopped before the kill had settled "
                       f"(killed {outcome.kill_s:.2f} s in, its last page at "
                       f"{runner.visits[-1].started_s:.2f} s)")
