"""Per-column transformers of the featurizer: imputers, encoders, datetime and text.

Private building blocks of :class:`featurization.Featurizer`; each turns one raw column into
columns of one block of the base representation.
"""
