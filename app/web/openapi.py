"""The API contract as an OpenAPI 3.1 document, built from the same limits the validators enforce and the
defaults the API uses (``TUNING``); ``api_reference`` writes it as the API list of ``app/README.md``
(``python -m app.web.openapi``; a test keeps the two equal)."""

from app.engine.tuning import TUNING
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
                        "default": TUNING.default_temperature, "description": "careful (low) .. wild (high)"},
        "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED}}}
    complete = {**drawing, "properties": {**drawing["properties"], "variations": {
        "type": "integer", "minimum": 1, "maximum": MAX_VARIATIONS, "default": 1, "description": "endings"}}}
    redraw = {**drawing, "properties": {**drawing["properties"], "count": {
        "type": "integer", "minimum": 1, "maximum": MAX_VARIATIONS, "default": TUNING.redraw_count,
        "description": "drawings"}}}
    morph = {**drawing, "properties": {
        **drawing["properties"],
        "to": {**strokes, "description": "the drawing to morph into, canvas pixels (e.g. the child's previous "
                                         "drawing); left out, Buddy draws one with the object's decoder"},
        "frames": {"type": "integer", "minimum": 2, "maximum": MAX_FRAMES, "default": TUNING.morph_frames},
        "temperature": {**drawing["properties"]["temperature"], "default": TUNING.morph_temperature}}}
    imagine = {"type": "object", "required": ["strokes", "canvas"], "properties": {
        **{k: p for k, p in drawing["properties"].items() if k != "class"},
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_VARIATIONS, "default": TUNING.imagine_count,
                  "description": "objects"}}}

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
            "/api/classes": {"get": {
                "summary": "the objects a child may draw",
                "description": ("Only the classroom's with a classroom code; theme is the object's picker tab, "
                                "themes are in tab order; redraw: Buddy has a sketch VAE for it, so it can redraw "
                                "and morph it."),
                "parameters": [
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
                "summary": "top-3 guesses of what is drawn",
                "description": "503 classifier_unavailable on a server without a classifier.",
                "requestBody": body(
                    {"type": "object", "required": ["strokes", "canvas"],
                     "properties": {"strokes": strokes, "canvas": canvas, "classroom": classroom}}),
                "responses": {**ok({"type": "object", "properties": {"guesses": {"type": "array", "items": {
                    "type": "object", "properties": {"class": {"type": "string"}, "label": {"type": "string"},
                                                     "icon": {"type": "string"},
                                                     "probability": {"type": "number"}}}}}}),
                              **errors(400, 404, 413, 415, 429, 503)}}},
        },
    }


def _shape(schema: dict, deep: bool = True) -> str:
    """A schema in the README's short notation: ``{a, b?, c: {x, y}}``, ``[{...}]``, ``n? (1–9, default 3)``."""
    if "oneOf" in schema:
        return " | ".join(_shape(s, deep) or ("null" if s.get("type") == "null" else "points") for s in schema["oneOf"])
    if "enum" in schema:
        return "|".join(f'"{v}"' for v in schema["enum"])
    if schema.get("type") == "array" and deep:
        inner = _shape(schema["items"], deep)
        return f"[{inner}]" if inner.startswith("{") else ""
    if schema.get("type") == "object" and schema.get("properties") and deep:
        required = set(schema.get("required", ()))
        fields = []
        for name, field in schema["properties"].items():
            inner = _shape(field, name != "strokes" and name != "to")
            text = name + ("" if name in required or "required" not in schema else "?")
            if inner:
                text += f": {inner}"
            limits = []
            if "minimum" in field and field.get("type") == "integer" and name != "seed":
                limits.append(f"{field['minimum']}–{field['maximum']}")
            if "default" in field:
                limits.append(f"default {field['default']}")
            fields.append(text + (f" ({', '.join(limits)})" if limits else ""))
        return "{" + ", ".join(fields) + "}"
    return ""


def api_reference(document: dict) -> str:
    """The document's endpoints as the Markdown list of ``app/README.md``: method and path, the body, the answer,
    the summary and description, and the error statuses."""
    lines = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            query = "".join(f"[?{p['name']}=…]" for p in op.get("parameters", ()) if p["in"] == "query")
            head = f"`{method.upper()} {path}{query}`"
            if "requestBody" in op:
                head += f" `{_shape(op['requestBody']['content']['application/json']['schema'])}`"
            answer = _shape(op["responses"]["200"]["content"]["application/json"]["schema"])
            errors = ", ".join(code for code in op["responses"] if code != "200")
            text = f"- {head} → `{answer}`: {op['summary']}."
            if op.get("description"):
                text += " " + op["description"]
            lines.append(text + f" Errors: {errors}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from app.web.settings import from_environment

    print(api_reference(openapi_document(from_environment())), end="")
