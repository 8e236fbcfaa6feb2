"""The bare Flask app the web benchmark compares with (bench/web.py): one route that answers "Hello, World!"."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
