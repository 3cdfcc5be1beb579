"""Studies: one-off questions, each headed by its question, command, answer and date. Nothing in the pipeline
or the model card imports a study."""
