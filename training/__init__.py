"""Data readers, training and evaluation scripts for Doodle Buddy's models (imports ``app``, never the reverse)."""
