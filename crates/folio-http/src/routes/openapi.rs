//! The OpenAPI 3 document of `/api/v1`, generated from `ENDPOINTS` — the same table the tests
//! walk to check that every documented endpoint is served (crates/folio/tests/it/api.rs).

/// One documented endpoint: method, path, scope, summary, request body kind, success status.
pub struct Endpoint {
    /// HTTP method, lower-case.
    pub method: &'static str,
    /// Path with `{param}`s.
    pub path: &'static str,
    /// API key scope required.
    pub scope: &'static str,
    /// One line.
    pub summary: &'static str,
    /// "json:<Schema>", "binary", or "" (none).
    pub request: &'static str,
    /// Success status and response kind ("json:<Schema>", "binary", "").
    pub response: (u16, &'static str),
}

/// Every `/api/v1` endpoint.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "post",
        path: "/api/v1/files",
        scope: "files",
        summary: "Upload a file (streamed body; query: name, folder)",
        request: "binary",
        response: (201, "json:File"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/files/{id}",
        scope: "files",
        summary: "File metadata",
        request: "",
        response: (200, "json:File"),
    },
    Endpoint {
        method: "patch",
        path: "/api/v1/files/{id}",
        scope: "files",
        summary: "Rename and/or move a file",
        request: "json:PatchFile",
        response: (200, "json:File"),
    },
    Endpoint {
        method: "delete",
        path: "/api/v1/files/{id}",
        scope: "files",
        summary: "Delete a file",
        request: "",
        response: (204, ""),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/files/{id}/content",
        scope: "files",
        summary: "Download the current content (Range supported)",
        request: "",
        response: (200, "binary"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/files/{id}/versions",
        scope: "files",
        summary: "List every version",
        request: "",
        response: (200, "json:Versions"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/files/{id}/versions/{version}/content",
        scope: "files",
        summary: "Download a version (Range supported)",
        request: "",
        response: (200, "binary"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/files/{id}/lock",
        scope: "files",
        summary: "The file's current lock",
        request: "",
        response: (200, "json:Lock"),
    },
    Endpoint {
        method: "delete",
        path: "/api/v1/files/{id}/lock",
        scope: "admin",
        summary: "Force-release the file's lock",
        request: "",
        response: (204, ""),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/folders",
        scope: "files",
        summary: "List a folder (query: path; limit 1-1000 and after for pages, the response's next is the after of the next page)",
        request: "",
        response: (200, "json:Folder"),
    },
    Endpoint {
        method: "put",
        path: "/api/v1/users/{external_id}",
        scope: "sessions",
        summary: "Create or update an external user",
        request: "json:PutUser",
        response: (200, "json:User"),
    },
    Endpoint {
        method: "post",
        path: "/api/v1/sessions",
        scope: "sessions",
        summary: "Create an editing session for an external user",
        request: "json:NewSession",
        response: (201, "json:Session"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/sessions",
        scope: "sessions",
        summary: "List sessions (query: file_id)",
        request: "",
        response: (200, "json:Sessions"),
    },
    Endpoint {
        method: "delete",
        path: "/api/v1/sessions/{id}",
        scope: "sessions",
        summary: "Revoke a session (its tokens fail at once)",
        request: "",
        response: (204, ""),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/webhooks/deliveries",
        scope: "admin",
        summary: "Webhook delivery log",
        request: "",
        response: (200, "json:Deliveries"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/audit",
        scope: "admin",
        summary: "The audit trail, newest first (query: user, file, action, since, until, cursor, limit)",
        request: "",
        response: (200, "json:AuditPage"),
    },
];

fn schema_ref(kind: &str) -> serde_json::Value {
    match kind.strip_prefix("json:") {
        Some(name) => {
            serde_json::json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}})
        }
        None => {
            serde_json::json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        }
    }
}

fn obj(props: &[(&str, &str)], required: &[&str]) -> serde_json::Value {
    let mut p = serde_json::Map::new();
    for (name, ty) in props {
        let v = match *ty {
            t if t.starts_with('#') => {
                serde_json::json!({"$ref": format!("#/components/schemas/{}", &t[1..])})
            }
            t if t.starts_with('[') => {
                serde_json::json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{}", t.trim_matches(['[', ']']))}})
            }
            "enum:view|edit" => serde_json::json!({"type": "string", "enum": ["view", "edit"]}),
            t => serde_json::json!({"type": t}),
        };
        p.insert((*name).to_owned(), v);
    }
    serde_json::json!({"type": "object", "properties": p, "required": required, "additionalProperties": false})
}

/// The OpenAPI 3.0 document.
pub fn document(public_url: &str) -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for e in ENDPOINTS {
        let mut op = serde_json::json!({
            "summary": e.summary,
            "description": format!("Requires an API key with the `{}` scope.", e.scope),
            "security": [{"bearer": []}],
            "responses": {
                e.response.0.to_string(): if e.response.1.is_empty() {
                    serde_json::json!({"description": "Done"})
                } else {
                    serde_json::json!({"description": "Success", "content": schema_ref(e.response.1)})
                },
                "default": {"description": "Error", "content": schema_ref("json:Error")},
            },
        });
        let params: Vec<serde_json::Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|x| x.strip_suffix('}')))
            .map(|name| serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = serde_json::Value::from(params);
        }
        if !e.request.is_empty() {
            op["requestBody"] =
                serde_json::json!({"required": true, "content": schema_ref(e.request)});
        }
        let entry = paths
            .entry(e.path.to_owned())
            .or_insert_with(|| serde_json::json!({}));
        entry[e.method] = op;
    }
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Folio integration API", "version": "1", "description": "Use Folio as the WOPI host of your application. See docs/INTEGRATION.md."},
        "servers": [{"url": public_url}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": obj(&[("code", "string"), ("message", "string")], &["code", "message"])}, "required": ["error"]},
                "File": obj(&[("id", "string"), ("name", "string"), ("folder_id", "string"), ("size", "integer"), ("version", "integer"), ("sha256", "string"), ("modified_at", "string"), ("locked", "boolean")], &["id", "name", "size", "version"]),
                "PatchFile": obj(&[("name", "string"), ("folder", "string")], &[]),
                "Version": obj(&[("version", "integer"), ("size", "integer"), ("sha256", "string"), ("saved_at", "string"), ("saved_by", "string"), ("source", "string")], &["version"]),
                "Versions": obj(&[("versions", "[Version]")], &["versions"]),
                "Lock": obj(&[("locked", "boolean"), ("lock_id", "string"), ("expires_at", "integer")], &["locked"]),
                "FolderRef": obj(&[("id", "string"), ("name", "string")], &["id", "name"]),
                "Folder": obj(&[("id", "string"), ("path", "string"), ("folders", "[FolderRef]"), ("files", "[File]"), ("next", "string")], &["id", "folders", "files"]),
                "PutUser": obj(&[("display_name", "string"), ("email", "string"), ("language", "string")], &[]),
                "ExternalUser": obj(&[("id", "string"), ("display_name", "string"), ("email", "string"), ("language", "string")], &["id"]),
                "User": obj(&[("id", "string"), ("folio_user_id", "string"), ("display_name", "string"), ("email", "string")], &["id"]),
                "NewSession": obj(&[("file_id", "string"), ("user", "#ExternalUser"), ("permission", "enum:view|edit"), ("editor", "string"), ("action", "string"), ("close_url", "string")], &["file_id", "user", "permission"]),
                "Session": obj(&[("id", "string"), ("file_id", "string"), ("permission", "enum:view|edit"), ("editor", "string"), ("action", "string"), ("expires_at", "integer"), ("revoked", "boolean"), ("host_page_url", "string"), ("action_url", "string"), ("wopi_src", "string"), ("access_token", "string"), ("access_token_ttl", "integer")], &["id", "file_id", "permission"]),
                "Sessions": obj(&[("sessions", "[Session]")], &["sessions"]),
                "Delivery": obj(&[("id", "string"), ("event_id", "string"), ("event_type", "string"), ("url", "string"), ("state", "string"), ("attempts", "integer"), ("last_status", "integer"), ("last_error", "string"), ("next_attempt_at", "integer"), ("delivered_at", "integer")], &["id", "event_id", "state"]),
                "Deliveries": obj(&[("deliveries", "[Delivery]")], &["deliveries"]),
                "AuditUser": obj(&[("id", "string"), ("login", "string")], &[]),
                "AuditFile": obj(&[("id", "string"), ("name", "string")], &[]),
                "AuditEvent": obj(&[("id", "string"), ("at", "string"), ("at_ms", "integer"), ("action", "string"), ("user", "#AuditUser"), ("file", "#AuditFile"), ("detail", "string"), ("ip", "string"), ("user_agent", "string"), ("via", "string"), ("via_id", "string")], &["id", "at", "at_ms", "action", "via"]),
                "AuditPage": obj(&[("events", "[AuditEvent]"), ("next_cursor", "string")], &["events"]),
            },
        },
    })
}

/// GET /api/v1/openapi.json
pub async fn openapi(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(document(&s.app.config().public_url))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_endpoint_is_in_the_document_with_its_method() {
        let doc = super::document("http://x");
        for e in super::ENDPOINTS {
            assert!(
                doc["paths"][e.path][e.method].is_object(),
                "{} {}",
                e.method,
                e.path
            );
        }
        assert_eq!(doc["openapi"], "3.0.3");
    }
}
