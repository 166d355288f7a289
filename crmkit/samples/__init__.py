"""Seeded sample CRM data (accounts, contacts, owners) for docs, tests and benchmarks."""

from crmkit.samples._files import write_sample_files
from crmkit.samples._generate import LOCALES, SampleData, generate

__all__ = ["LOCALES", "SampleData", "generate", "write_sample_files"]
