"""A person-readable name for the browser a session was signed in from.

The full User-Agent string says it, but buried: "Mozilla/5.0 (Linux; Android 14) …
Chrome/131.0 Mobile Safari/537.36" is "Chrome on Android". Only the common browsers
and systems are named; anything else is shown as "Another browser".
"""

import re

# Checked in order: many browsers also name those they grew from (Edge says Chrome
# and Safari, Chrome says Safari).
BROWSERS = [
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\b(Headless)?Chrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
]
SYSTEMS = [
    ("Android", re.compile(r"\bAndroid\b")),
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("Mac", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
]


def _first(patterns, text: str) -> str:
    return next((name for name, pattern in patterns if pattern.search(text)), "")


def user_agent_label(user_agent: str) -> str:
    """E.g. "Chrome on Android", "Safari on iPhone", "Firefox", "Another browser"."""
    browser, system = _first(BROWSERS, user_agent or ""), _first(SYSTEMS, user_agent or "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Another browser")
