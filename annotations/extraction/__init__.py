"""Claim extraction: sentence splitting, language detection, check-worthiness scoring.

Pure Python, no Django: the Celery task passes text in and stores what comes out. The learned
scorer lives in ``annotations.extraction.learned`` and is imported from there, so that the
default path never loads scikit-learn.
"""

from .claimants import guess_claimant
from .language import detect_language
from .pipeline import DEFAULT_THRESHOLD, Candidate, ExtractionResult, extract_candidates
from .scoring import KINDS, RuleScorer, SentenceScore, SentenceScorer
from .segment import split_sentences

__all__ = [
    "DEFAULT_THRESHOLD",
    "KINDS",
    "Candidate",
    "ExtractionResult",
    "RuleScorer",
    "SentenceScore",
    "SentenceScorer",
    "detect_language",
    "extract_candidates",
    "guess_claimant",
    "split_sentences",
]
