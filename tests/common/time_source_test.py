"""Code under src/ reads the time only through common/clock.h (issue 17, item 4): no
std::chrono clock's now() is called anywhere else, so every component that decides by time
can be handed a fake one."""
import os
import re
import unittest

ROOT = os.environ.get("MLPROD_SOURCE_DIR",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLOCK_NOW = re.compile(r"\b(system_clock|steady_clock|high_resolution_clock)::now\s*\(")
ALLOWED = {os.path.join("src", "common", "clock.cpp")}


class TimeSource(unittest.TestCase):
    def test_only_the_clock_reads_the_time(self):
        found = []
        for folder, _, files in os.walk(os.path.join(ROOT, "src")):
            for name in files:
                if not name.endswith((".cpp", ".h")):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, ROOT)
                if rel in ALLOWED:
                    continue
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        if CLOCK_NOW.search(line):
                            found.append(f"{rel}:{number}: {line.strip()}")
        self.assertEqual(found, [], "read the time through common/clock.h:\n" + "\n".join(found))

    def test_the_check_sees_a_direct_read(self):
        self.assertTrue(CLOCK_NOW.search("auto t = std::chrono::steady_clock::now();"))
        self.assertFalse(CLOCK_NOW.search("auto t = clock.SteadyNow();"))


if __name__ == "__main__":
    unittest.main()
