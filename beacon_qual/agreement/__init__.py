"""Intercoder agreement: measures on spans and counts, and reports gathered from a project.

* :mod:`.measures`: percent agreement, Cohen's kappa, Krippendorff's nominal alpha,
  segment agreement (pure functions on numpy arrays);
* :mod:`.unitized`: Krippendorff's alpha family for unitized continua (uα, |uα, cuα, (k)uα);
* :mod:`.report`: :func:`agreement` for a project, per code and overall;
* :mod:`.disagreements`: :func:`disagreements`, the passages two coders coded differently.

May import: ``codebook``, ``store``, ``errors``.
"""

from beacon_qual.agreement.disagreements import Disagreement, disagreements
from beacon_qual.agreement.report import AgreementReport, Figure, agreement

__all__ = ["AgreementReport", "Disagreement", "Figure", "agreement", "disagreements"]
