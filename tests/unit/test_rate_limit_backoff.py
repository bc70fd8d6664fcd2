"""The secondary limit's backoff per credential: a minute, doubled for each limit met again by a
call sent after the last wait began; answers to calls already on their way share that wait."""

from __future__ import annotations

from copilot_archive.archiving.github import SECONDARY_LIMIT_WAIT_SECONDS, _Quota

MINUTE = SECONDARY_LIMIT_WAIT_SECONDS


def test_calls_sent_before_a_limit_answer_share_its_wait():
    quota = _Quota()
    # Three calls leave at 0 s; their answers, all "secondary rate limit", come at 1, 2 and 3 s.
    assert quota.back_off(started=0.0, moment=1.0) == MINUTE
    assert quota.back_off(started=0.0, moment=2.0) == MINUTE - 1.0  # the same minute, not two
    assert quota.back_off(started=0.0, moment=3.0) == MINUTE - 2.0


def test_each_limit_met_again_doubles_the_wait_until_a_call_goes_through():
    quota = _Quota()
    first = quota.back_off(started=0.0, moment=1.0)
    second = quota.back_off(started=1.0 + first, moment=2.0 + first)
    third = quota.back_off(started=2.0 + first + second, moment=3.0 + first + second)
    assert (first, second, third) == (MINUTE, 2 * MINUTE, 4 * MINUTE)

    quota.answered(started=10_000.0)  # a call sent after the last wait is answered
    assert quota.back_off(started=20_000.0, moment=20_001.0) == MINUTE


def test_an_answer_to_a_call_sent_before_the_limit_does_not_restart_the_backoff():
    quota = _Quota()
    quota.back_off(started=0.0, moment=1.0)
    quota.answered(started=0.5)  # left before the limit answer came: says nothing of the limit now
    assert quota.back_off(started=61.0, moment=62.0) == 2 * MINUTE
