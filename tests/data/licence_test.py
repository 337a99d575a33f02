"""The repository carries its licence, and every profile table under config/ that repeats rows
of the reference project's MIT-licensed tables is named in NOTICE with that licence's terms
(issue 16, item 10)."""
import glob
import os
import unittest

ROOT = os.environ.get("MLPROD_SOURCE_DIR",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


class Licence(unittest.TestCase):
    def test_the_project_licence_is_mit(self):
        text = read("LICENSE")
        self.assertIn("MIT License", text)
        self.assertIn("Permission is hereby granted", text)

    def test_notice_attributes_every_profile_table(self):
        notice = read("NOTICE")
        tables = sorted(glob.glob(os.path.join(ROOT, "config", "*.tsv")))
        self.assertTrue(tables, "no config/*.tsv found")
        for path in tables:
            self.assertIn("config/" + os.path.basename(path), notice)
        # The MIT licence asks for its permission notice with the copies.
        self.assertIn("The above copyright notice and this permission notice shall be included",
                      notice)

    def test_readme_points_at_the_licence(self):
        self.assertIn("LICENSE", read("README.md"))


if __name__ == "__main__":
    unittest.main()
