"""One simulated inverter: what it produces under the controls in force, its status and its alarms."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from lxml import etree

from csip_api.xml import NS

#: ConnectStatusType bits: connected, available, operating (2030.5 Table 13).
CONNECTED_AVAILABLE_OPERATING = 0b111
#: InverterStatusType: 4 tracking MPPT, 5 forced power reduction.
TRACKING, FORCED_REDUCTION = 4, 5
#: The alarms a simulated DER raises now and then (CSIP Table 14 codes: raise, and code + 1 clears).
ALARM_CODES = (2, 4, 6, 8)


def _value(control: etree._Element, element: str) -> float | None:
    """A DERControlBase value: a SignedPerCent in hundredths, or an ActivePower (multiplier, value)."""
    node = control.find(f".//{{{NS}}}{element}")
    if node is None:
        return None
    if node.find(f"{{{NS}}}value") is None:
        return float(node.text)
    multiplier = node.findtext(f"{{{NS}}}multiplier", "0")
    return float(node.findtext(f"{{{NS}}}value")) * 10 ** int(multiplier)


@dataclass
class SimulatedDER:
    """A DER the simulator reports for, named by its EndDevice on the server."""

    lfdi: str
    edev_href: str
    rated_w: int = 5000
    rng: random.Random = field(default_factory=random.Random)
    links: dict[str, str] = field(default_factory=dict)
    program_hrefs: list[str] = field(default_factory=list)
    #: The controls the server serves the DER, by program: active events first, then the default.
    controls: list[etree._Element] = field(default_factory=list)
    alarm: int | None = None

    def limit_w(self) -> float:
        """The export limit in force: the strictest opModMaxLimW (percent of rating) or opModExpLimW."""
        limits = [self.rated_w]
        for control in self.controls:
            percent = _value(control, "opModMaxLimW")
            if percent is not None:
                limits.append(self.rated_w * percent / 10000)
            watts = _value(control, "opModExpLimW")
            if watts is not None:
                limits.append(watts)
        return max(0.0, min(limits))

    def measure(self, *, at: float) -> dict[str, float]:
        """W, var, V and Hz now: a sunny-day curve capped by the limit in force, with some noise."""
        sun = max(0.0, math.sin(math.pi * ((at / 3600) % 24 - 6) / 12))
        available = self.rated_w * (0.3 + 0.7 * sun) * self.rng.uniform(0.95, 1.0)
        watts = min(available, self.limit_w())
        return {
            "W": round(watts, 1),
            "var": round(-0.1 * watts * self.rng.uniform(0.8, 1.2), 1),
            "V": round(240 * self.rng.uniform(0.98, 1.04), 1),
            "Hz": round(60 * self.rng.uniform(0.999, 1.001), 2),
        }

    def inverter_status(self) -> int:
        return FORCED_REDUCTION if self.limit_w() < self.rated_w else TRACKING

    def alarm_bits(self) -> int:
        return 0 if self.alarm is None else 1 << (self.alarm // 2)
