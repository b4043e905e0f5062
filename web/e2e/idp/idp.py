#!/usr/bin/python3
"""A SAML 2.0 identity provider for Reach's end-to-end tests, built on pysaml2
(Debian package python3-pysaml2, installed by `cargo xtask test`), which signs
with xmlsec1. Nothing here is Reach code: it is the other side of the protocol.

It serves its metadata, answers authentication requests (HTTP-Redirect, or
HTTP-POST with --sso-binding post) with a
sign-in form asking for an e-mail address, and starts sign-ins itself
(/idp-initiated). Answers go back by HTTP-POST, the assertion signed with
RSA-SHA256, carrying `email` and `customeridentifier` (read from a file at each
sign-in, so the test can write it once Reach generated it).

Usage: idp.py --key KEY --cert CERT --sp-metadata FILE --customer-identifier-file FILE
              [--sso-binding redirect|post]
Prints `IdP ready at http://127.0.0.1:PORT` once listening.
"""

import argparse
import html
import os
import sys
import tempfile
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

# Attribute names sent as they are (basic name format).
ATTRIBUTE_MAP = """
MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
    "fro": {"email": "email", "customeridentifier": "customeridentifier"},
    "to": {"email": "email", "customeridentifier": "customeridentifier"},
}
"""


def make_server(base, args, maps_dir):
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/metadata",
            "service": {
                "idp": {
                    "name": "Reach test identity provider",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{base}/sso/post", BINDING_HTTP_POST)
                            if args.sso_binding == "post"
                            else (f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                    "sign_assertion": True,
                    "sign_response": False,
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": args.key,
            "cert_file": args.cert,
            "metadata": {"local": [args.sp_metadata]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "attribute_map_dir": maps_dir,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
        }
    )
    return Server(config=config)


def page(title, body):
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"


class Handler(BaseHTTPRequestHandler):
    idp = None
    customer_identifier_file = None
    pending = {}

    def log_message(self, fmt, *args):
        sys.stderr.write("idp: " + (fmt % args) + "\n")

    def send_html(self, status, text):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer(self, email, in_response_to, destination, sp_entity_id, relay_state):
        with open(self.customer_identifier_file, encoding="utf-8") as f:
            customer_identifier = f.read().strip()
        identity = {"email": [email], "customeridentifier": [customer_identifier]}
        response = self.idp.create_authn_response(
            identity,
            in_response_to=in_response_to,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=email),
            authn={"class_ref": PASSWORD, "authn_auth": self.idp.config.entityid},
            userid=email,
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http_args = self.idp.apply_binding(BINDING_HTTP_POST, str(response), destination, relay_state, response=True)
        self.send_html(200, http_args["data"])

    def sign_in_form(self, request, params):
        key = uuid.uuid4().hex
        self.pending[key] = (request.message, params.get("RelayState", ""))
        hint = request.message.subject.name_id.text if request.message.subject is not None else ""
        self.send_html(
            200,
            page(
                "Test identity provider",
                f"<form method='post' action='/login'><input type='hidden' name='key' value='{key}'>"
                f"<label>E-mail <input name='email' type='email' value='{html.escape(hint or '')}'></label>"
                "<button type='submit'>Sign in</button></form>",
            ),
        )

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/metadata":
            data = str(entity_descriptor(self.idp.config)).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif url.path == "/sso/redirect":
            self.sign_in_form(self.idp.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT), query)
        elif url.path == "/idp-initiated":
            sp_entity_id = next(iter(self.idp.metadata.service_providers()))
            acs = self.idp.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)[0]["location"]
            self.answer(query["email"], None, acs, sp_entity_id, query.get("relay_state", ""))
        else:
            self.send_html(404, page("Not found", ""))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
        if urlparse(self.path).path == "/sso/post" and "SAMLRequest" in form:
            self.sign_in_form(self.idp.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_POST), form)
            return
        if urlparse(self.path).path != "/login" or form.get("key") not in self.pending:
            self.send_html(400, page("Unknown sign-in", ""))
            return
        message, relay_state = self.pending.pop(form["key"])
        args = self.idp.response_args(message)
        self.answer(form["email"], args["in_response_to"], args["destination"], args["sp_entity_id"], relay_state)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--sp-metadata", required=True)
    parser.add_argument("--customer-identifier-file", required=True)
    parser.add_argument("--sso-binding", choices=["redirect", "post"], default="redirect")
    args = parser.parse_args()
    maps_dir = tempfile.mkdtemp(prefix="reach-idp-maps-")
    with open(os.path.join(maps_dir, "reach.py"), "w", encoding="utf-8") as f:
        f.write(ATTRIBUTE_MAP)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.idp = make_server(base, args, maps_dir)
    Handler.customer_identifier_file = args.customer_identifier_file
    print(f"IdP ready at {base}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
