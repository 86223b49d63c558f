"""Benchmark profile: the normal settings plus the peer view measured beside ours."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
DEBUG = False
