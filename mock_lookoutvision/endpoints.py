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


class RegionNotOffered(Exception):
    """A request for a region where the service never was. No endpoint answers there, so each
    front end says it as a client would meet it (botocore's ``EndpointConnectionError``,
    requests' ``ConnectionError``); the handle's controls say it as a ``ControlError``."""

    def __init__(self, region: str) -> None:
        self.region = region
        super().__init__(
            f"Amazon Lookout for Vision was not offered in {region}; it was in "
            f"{', '.join(REGIONS)}. Set MOTO_ALLOW_NONEXISTENT_REGION=true to use other regions "
            "anyway."
        )


def endpoint_region(url: str) -> str:
    """The region an endpoint URL names."""
    host = HOST.match(url)
    return host.group(1) if host else "us-east-1"
