"""Doodle Buddy: a Flask app where children draw and sketch-rnn decoders help them finish the drawing."""
