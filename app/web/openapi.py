"""The API contract as an OpenAPI 3.1 document, built from the same limits the validators enforce."""

from app.web.validation import MAX_CANVAS_SIDE, MAX_FRAMES, MAX_SEED, MAX_VARIATIONS, TEMPERATURE_RANGE

POINT = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
         "description": "[x, y] in canvas pixels"}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}


def openapi_document(config) -> dict:
    """The OpenAPI document for this server's limits."""
    strokes = {"type": "array", "maxItems": config["MAX_STROKES"],
               "items": {"type": "array", "minItems": 1, "items": POINT},
               "description": f"the child's strokes so far, at most {config['MAX_POINTS']} points in all"}
    canvas = {"type": "object", "required": ["width", "height"], "properties": {
        "width": {"type": "number", "minimum": 1, "maximum": MAX_CANVAS_SIDE},
        "height": {"type": "number", "minimum": 1, "maximum": MAX_CANVAS_SIDE}}}
    classroom = {"type": "string", "description": "a classroom code: only that classroom's objects are allowed "
                                                  "(403 for others, 404 for an unknown code)"}
    drawing = {"type": "object", "required": ["class", "strokes", "canvas"], "properties": {
        "classroom": classroom,
        "class": {"type": "string", "description": "an object name from /api/classes"},
        "strokes": strokes, "canvas": canvas,
        "temperature": {"type": "number", "minimum": TEMPERATURE_RANGE[0], "maximum": TEMPERATURE_RANGE[1],
                        "description": "careful (low) .. wild (high)"},
        "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED}}}
    complete = {**drawing, "properties": {**drawing["properties"], "variations": {
        "type": "integer", "minimum": 1, "maximum": MAX_VARIATIONS}}}
    redraw = {**drawing, "properties": {**drawing["properties"], "count": {
        "type": "integer", "minimum": 1, "maximum": MAX_VARIATIONS, "description": "drawings (default 3)"}}}
    morph = {**drawing, "properties": {
        **drawing["properties"],
        "to": {**strokes, "description": "the drawing to morph into, canvas pixels (e.g. the child's previous "
                                         "drawing); left out, Buddy draws one with the object's decoder"},
        "frames": {"type": "integer", "minimum": 2, "maximum": MAX_FRAMES, "description": "frames (default 9)"},
        "temperature": {**drawing["properties"]["temperature"], "description": "careful (low, default 0.1) .. wild"}}}
    imagine = {"type": "object", "required": ["strokes", "canvas"], "properties": {
        **{k: p for k, p in drawing["properties"].items() if k != "class"},
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_VARIATIONS, "description": "objects (default 6)"}}}

    def errors(*statuses):
        return {str(s): {"description": "error", "content": {"application/json": {"schema": ERROR}}}
                for s in statuses}

    def body(schema):
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    def ok(schema):
        return {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}

    line = {"type": "array", "items": POINT}
    drawn = {"type": "array", "items": {"type": "object", "properties": {  # Buddy's strokes, one entry per drawing
        "strokes": {"type": "array", "items": line}, "finished": {"type": "boolean"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Doodle Buddy API", "version": "1.0.0",
                 "description": "Errors are {\"error\": {\"code\", \"message\"}} with a 4xx status."},
        "paths": {
            "/api/classes": {"get": {"summary": "objects available", "parameters": [
                {"name": "classroom", "in": "query", "required": False, "schema": classroom}],
                "responses": {**errors(400, 404), **ok({
                "type": "object", "properties": {"classes": {"type": "array", "items": {
                    "type": "object", "properties": {**{k: {"type": "string"} for k in
                                                        ("name", "label", "icon", "source")},
                                                     "theme": {"type": "string", "description":
                                                               "the name of its theme in themes"},
                                                     "redraw": {"type": "boolean", "description":
                                                                "Buddy can redraw it (/api/redraw)"}}}},
                    "themes": {"type": "array", "description": "the themes of these objects, in tab order",
                               "items": {"type": "object", "properties": {k: {"type": "string"} for k in
                                                                          ("name", "label", "icon")}}}}})}}},
            "/api/complete": {"post": {
                "summary": "finish the drawing (empty strokes: draw it from scratch)", "requestBody": body(complete),
                "description": ("Only the new strokes, in canvas pixels, drawn at the size of the child's drawing "
                                "and continuing from its last point; every point stays on the canvas. More "
                                "candidates are sampled than returned and the best are returned (on the canvas, "
                                "recognisable, not over the child's strokes, different from one another). The "
                                "same seed gives the same completions."),
                "responses": {**ok({"type": "object", "properties": {
                    "seed": {"type": "integer"}, "completions": drawn}}),
                    **errors(400, 403, 404, 413, 415, 429, 503)}}},
            "/api/hint": {"post": {
                "summary": "the next pen-down stroke", "requestBody": body(drawing),
                "description": ("In canvas pixels, at the size of the child's drawing, on the canvas; null when "
                                "the model would end the drawing here. The best of many strokes sampled around "
                                "the temperature; the same seed gives the same stroke."),
                "responses": {**ok({"type": "object", "properties": {"stroke": {"oneOf": [line, {"type": "null"}]},
                                                                      "seed": {"type": "integer"}}}),
                              **errors(400, 403, 404, 413, 415, 429, 503)}}},
            "/api/imagine": {"post": {
                "summary": "what could it become? the same beginning finished by several objects",
                "requestBody": body(imagine),
                "description": ("One ending per object: the objects the classifier finds likeliest first, then "
                                "others for variety (only the classroom's objects in a classroom); each ending is "
                                "fitted and chosen as in complete. 400 for an empty drawing."),
                "responses": {**ok({"type": "object", "properties": {
                    "seed": {"type": "integer"}, "endings": {"type": "array", "items": {
                        "type": "object", "properties": {"class": {"type": "string"}, "label": {"type": "string"},
                                                         "icon": {"type": "string"},
                                                         "strokes": {"type": "array", "items": line},
                                                         "finished": {"type": "boolean"}}}}}}),
                              **errors(400, 404, 413, 415, 429, 503)}}},
            "/api/redraw": {"post": {
                "summary": "Buddy redraws the child's drawing", "requestBody": body(redraw),
                "description": ("The chosen object's sketch VAE reads the child's whole drawing and draws it again "
                                "`count` times at the temperature, each at the child's place and size, on the "
                                "canvas. 404 no_redraw for an object without a VAE (/api/classes says which have "
                                "one); 400 for an empty drawing. The same seed gives the same drawings."),
                "responses": {**ok({"type": "object", "properties": {
                    "seed": {"type": "integer"}, "drawings": drawn}}),
                              **errors(400, 403, 404, 413, 415, 429, 503)}}},
            "/api/morph": {"post": {
                "summary": "morph the child's drawing into another", "requestBody": body(morph),
                "description": ("Frames along a spherical path between the two drawings' latent vectors in the "
                                "chosen object's sketch VAE, the first near the child's drawing and the last near "
                                "the other, each decoded at the (low) temperature a few times and the one shown that "
                                "moves steadily from one drawing to the other and looks like the object, "
                                "each between the two drawings' places and sizes on the canvas. 404 no_morph for an "
                                "object without a VAE; 400 for an empty drawing. The same seed gives the same "
                                "frames."),
                "responses": {**ok({"type": "object", "properties": {
                    "seed": {"type": "integer"}, "to": {"enum": ["drawing", "buddy"]}, "frames": drawn}}),
                              **errors(400, 403, 404, 413, 415, 429, 503)}}},
            "/api/classify": {"post": {
                "summary": "top-3 guesses of what is drawn", "requestBody": body(
                    {"type": "object", "required": ["strokes", "canvas"],
                     "properties": {"strokes": strokes, "canvas": canvas, "classroom": classroom}}),
                "responses": {**ok({"type": "object", "properties": {"guesses": {"type": "array", "items": {
                    "type": "object", "properties": {"class": {"type": "string"}, "label": {"type": "string"},
                                                     "icon": {"type": "string"},
                                                     "probability": {"type": "number"}}}}}}),
                              **errors(400, 404, 413, 415, 429, 503)}}},
        },
    }
