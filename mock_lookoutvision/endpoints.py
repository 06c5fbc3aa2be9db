"""Where the service answers: its endpoint hosts and the regions it was offered in."""

from __future__ import annotations

import re

# The endpoints the model's rule set produces: plain, FIPS, and dual-stack (api.aws).
HOST = re.compile(r"https?://lookoutvision(?:-fips)?\.([^.]+)\.(?:amazonaws\.com|api\.aws)")
# Regions where the service was offered; others only when moto allows unknown regions.
REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-west-1",
    "ap-northeast-1",
    "ap-northeast-2",
]
# The partition those regions are in; the service was in no other.
PARTITION = "aws"


def endpoint_region(url: str) -> str:
    """The region an endpoint URL names."""
    host = HOST.match(url)
    return host.group(1) if host else "us-east-1"
