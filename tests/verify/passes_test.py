"""verify_test.py's check that each WP pass ran only the provers it was given
(pass_mismatches), on two real Frama-C 25 logs of one false assert
(`//@ assert x > 0;` on an unconstrained int): the cascade verify_test builds
(-wp-prover=-z3,+cvc4 in pass 2, -wp-prover=-cvc4,+z3 in pass 3), which the
check must accept, and its negative control, the form this repository used
before (-then -wp-prover cvc4), whose second pass races z3 again and which
the check must reject."""

import sys
import unittest

from nflib import verify_test

# Pass 1, the same in both runs: z3 alone, 2 s.
FIRST_PASS = """[kernel] Parsing fa.c (with preprocessing)
[wp] Running WP plugin...
[wp] Warning: Missing RTE guards
[wp] 2 goals scheduled
[wp] [Qed] Goal typed_f_assigns : Valid
[wp] [Z3 4.8.12] Goal typed_f_assert : Failed
  Unknown error
[wp] Proved goals:    1 / 2
  Qed:             1
  Z3 4.8.12:       0  (failed: 1)
"""

CASCADE_LOG = (
    FIRST_PASS
    + """[wp] Running WP plugin...
[wp] 1 goal scheduled
[wp] [CVC4 1.8] Goal typed_f_assert : Unknown
[wp] Proved goals:    0 / 1
  CVC4 1.8:        0  (unknown: 1)
[wp] Running WP plugin...
[wp] 1 goal scheduled
[wp] [Z3 4.8.12] Goal typed_f_assert : Failed
  Unknown error
[wp] Proved goals:    0 / 1
  Z3 4.8.12:       0  (failed: 1)
"""
)

RACE_LOG = (
    FIRST_PASS
    + """[wp] Running WP plugin...
[wp] 1 goal scheduled
[wp] [Failed] Goal typed_f_assert
  Z3 4.8.12: Failed Unknown error
  CVC4 1.8: Unknown
[wp] Proved goals:    0 / 1
  CVC4 1.8:        0  (unknown: 1)
  Z3 4.8.12:       0  (failed: 1)
"""
)


class PassesTest(unittest.TestCase):
    def test_provers_per_pass(self):
        self.assertEqual(verify_test.provers_per_pass(CASCADE_LOG), [{"z3"}, {"cvc4"}, {"z3"}])
        self.assertEqual(verify_test.provers_per_pass(RACE_LOG), [{"z3"}, {"cvc4", "z3"}])

    def test_cascade_accepted(self):
        self.assertEqual(verify_test.pass_mismatches(CASCADE_LOG, ["z3", "cvc4", "z3"]), [])

    def test_race_rejected(self):
        self.assertEqual(
            verify_test.pass_mismatches(RACE_LOG, ["z3", "cvc4"]),
            ["WP pass 2 ran cvc4, z3, asked for cvc4"],
        )

    def test_missing_pass_rejected(self):
        self.assertEqual(
            verify_test.pass_mismatches(CASCADE_LOG, ["z3", "cvc4"]),
            ["asked for 2 WP passes, the log shows 3"],
        )

    def test_race_first_pass_accepted(self):
        # The first pass may race the provers it is given (--provers z3,cvc4).
        self.assertEqual(verify_test.pass_mismatches(RACE_LOG, ["z3,cvc4", "z3,cvc4"]), [])

    def test_options_replace_the_previous_provers(self):
        options = verify_test.fallback_passes(["-wp-fct", "f"], ["z3"], ["cvc4", "z3"], 60)
        self.assertEqual(
            options,
            ["-then", "-wp", "-wp-fct", "f", "-wp-prover=-z3,+cvc4", "-wp-timeout", "60"]
            + ["-then", "-wp", "-wp-fct", "f", "-wp-prover=-cvc4,+z3", "-wp-timeout", "60"],
        )


if __name__ == "__main__":
    sys.exit(unittest.main())
