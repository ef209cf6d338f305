"""Throttle: pace per server and per recipient domain, per second and per hour (fake clock)."""

from netmark.mailing.throttle import Throttle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_server_pace_spaces_messages_evenly():
    clock = Clock()
    throttle = Throttle(20, clock=clock, sleep=clock.sleep)
    for index in range(100):
        assert throttle.acquire(f"u{index}@example.org") == 0.0
    assert abs((clock.now - 1000.0) - 99 / 20) < 1e-9


def test_domain_pace_is_slower_than_the_server_for_qq():
    clock = Clock()
    throttle = Throttle(100, domain_limits={"qq.com": {"per_second": 2}}, clock=clock, sleep=clock.sleep)
    for index in range(10):
        throttle.acquire(f"u{index}@qq.com")
    assert abs((clock.now - 1000.0) - 4.5) < 1e-9
    before = clock.now
    throttle.acquire("x@gmail.com")
    assert clock.now - before < 0.011


def test_an_hourly_bound_defers_instead_of_sleeping_an_hour():
    clock = Clock()
    throttle = Throttle(0, per_hour=3, clock=clock, sleep=clock.sleep)
    assert [throttle.acquire(f"u{i}@example.org") for i in range(3)] == [0.0, 0.0, 0.0]
    assert throttle.acquire("late@example.org") == 3600.0
    clock.now += 3600.0
    assert throttle.acquire("late@example.org") == 0.0


def test_default_limits_cover_the_large_providers():
    throttle = Throttle(1000)
    assert {"qq.com", "163.com", "gmail.com", "outlook.com"} <= set(throttle.limits)
