"""The drawing engine: the decoders and the classifier, the strokes, fitting Buddy's drawing to the child's, and the
model registry. Imports no Flask (the web package and the training pipeline both use it)."""
