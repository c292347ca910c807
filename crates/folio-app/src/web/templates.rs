//! New documents: blank or from an organisation template, under a name the person typed; the
//! templates an administrator uploads; and how a template reaches the editor — Collabora
//! fetches it itself (`TemplateSource` in CheckFileInfo, for an empty new file), every other
//! editor gets a file that already holds the template's content.

use futures::TryStreamExt;

use super::*;
use crate::audit::action::{ADMIN_TEMPLATE_ADD, ADMIN_TEMPLATE_DELETE};

/// Largest template accepted (templates are small; this also bounds the in-memory check).
pub const MAX_TEMPLATE_BYTES: u64 = 64 * 1024 * 1024;

/// A template as the pages list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateView {
    /// The record.
    pub template: folio_store::TemplateRecord,
    /// Which kind of document it makes.
    pub kind: folio_ooxml::Kind,
}

/// How a new document from a template reaches its editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateDelivery {
    /// An empty file; CheckFileInfo names the template in `TemplateSource` and the editor
    /// fetches it, then saves the document with PutFile (Collabora Online).
    TemplateSource,
    /// The file is created holding the template's content (a `.dotx`/`.xltx`/`.potx` turned into
    /// its document type): Microsoft 365 for the web, ONLYOFFICE, the development editor and
    /// any other WOPI client, none of which reads `TemplateSource`; also when no editor is
    /// configured (the file is downloaded as it is).
    CopyContent,
}

/// The delivery for the editor that will open the new document (`None`: no editor for it).
pub fn template_delivery(editor: Option<EditorKind>) -> TemplateDelivery {
    match editor {
        Some(EditorKind::Collabora) => TemplateDelivery::TemplateSource,
        Some(
            EditorKind::Microsoft | EditorKind::OnlyOffice | EditorKind::Dev | EditorKind::Other,
        )
        | None => TemplateDelivery::CopyContent,
    }
}

/// The name of a new document: what the person typed, trimmed, with the kind's extension
/// added unless it already ends with it (case-insensitively); `None` when nothing was typed or
/// the prompt's suggestion was kept as it was ("New document", the kind's default name) — then
/// the default name is numbered until free ("New document (2).docx").
pub fn document_name(typed: &str, kind: folio_ooxml::Kind) -> Option<String> {
    let typed = typed.trim();
    let default = kind.default_name();
    if typed.is_empty() || typed == default || Some(typed) == default.rsplit_once('.').map(|d| d.0)
    {
        return None;
    }
    let (_, ext) = naming::split_ext(typed);
    if ext
        .trim_start_matches('.')
        .eq_ignore_ascii_case(kind.extension())
    {
        Some(typed.to_owned())
    } else {
        Some(format!("{typed}.{}", kind.extension()))
    }
}

fn template_kind(name: &str) -> Option<folio_ooxml::Kind> {
    let (_, ext) = naming::split_ext(name);
    folio_ooxml::Kind::from_template_extension(ext)
}

impl App {
    /// Every organisation template, by name.
    pub async fn templates(&self) -> Result<Vec<TemplateView>, AppError> {
        Ok(self
            .meta()
            .templates()
            .await?
            .into_iter()
            .filter_map(|t| template_kind(&t.name).map(|kind| TemplateView { template: t, kind }))
            .collect())
    }

    /// An administrator uploads a template: a `.docx`, `.xlsx`, `.pptx`, `.dotx`, `.xltx` or
    /// `.potx` that opens as an Office package (`NotATemplate` otherwise), its name unique.
    pub async fn admin_add_template(
        &self,
        admin: &UserRecord,
        name: &str,
        body: folio_store::ByteStream,
    ) -> Result<folio_store::TemplateRecord, AppError> {
        let name = name.trim();
        naming::validate_file_name(name)?;
        if template_kind(name).is_none() {
            return Err(AppError::NotATemplate);
        }
        let key = folio_store::BlobKey::generate();
        let put = match self.blobs().put(&key, body, MAX_TEMPLATE_BYTES).await {
            Ok(p) => p,
            Err(folio_store::StoreError::TooLarge { limit }) => {
                return Err(AppError::TooLarge { limit });
            }
            Err(e) => return Err(e.into()),
        };
        let checked = async {
            let bytes = self.blob_vec(key.as_str()).await?;
            folio_ooxml::edit::document_from_template(&bytes).map_err(|_| AppError::NotATemplate)
        }
        .await;
        if let Err(e) = checked {
            let _ = self.blobs().delete(&key).await;
            return Err(e);
        }
        let record = folio_store::TemplateRecord {
            id: folio_store::random_id(22),
            name: name.to_owned(),
            blob_key: key.as_str().to_owned(),
            size: put.size,
            sha256: put.sha256,
            created_at: self.now(),
            created_by: admin.id.clone(),
        };
        if let Err(e) = self.meta().add_template(&record).await {
            let _ = self.blobs().delete(&key).await;
            return Err(match e {
                folio_store::StoreError::AlreadyExists => AppError::NameTaken {
                    name: name.to_owned(),
                    place: NamePlace::ThisFolder,
                },
                other => other.into(),
            });
        }
        let event = self.audit_event(ADMIN_TEMPLATE_ADD, Some(admin), None, Some(name.to_owned()));
        self.audit(event).await;
        Ok(record)
    }

    /// An administrator deletes a template (documents made from it keep their content; its
    /// blob is collected by the sweep).
    pub async fn admin_delete_template(
        &self,
        admin: &UserRecord,
        id: &str,
    ) -> Result<(), AppError> {
        let Some(t) = self.meta().delete_template(id).await? else {
            return Err(AppError::NotFound);
        };
        let event = self.audit_event(ADMIN_TEMPLATE_DELETE, Some(admin), None, Some(t.name));
        self.audit(event).await;
        Ok(())
    }

    /// The whole content behind a stored key, in memory (templates only: bounded by
    /// [`MAX_TEMPLATE_BYTES`]).
    async fn blob_vec(&self, key: &str) -> Result<Vec<u8>, AppError> {
        let chunks: Vec<bytes::Bytes> = self
            .open_content(key)
            .await?
            .try_collect()
            .await
            .map_err(folio_store::StoreError::from)?;
        Ok(chunks.concat())
    }

    /// Creates a Word/Excel/PowerPoint document in a folder: blank (folio-ooxml) or from the
    /// organisation template `template` (whose kind then wins over `kind`), named `name` (the
    /// extension added; a taken name is refused) or, when empty, "New document.docx" numbered
    /// until free. For a Collabora editor a template is delivered by `TemplateSource`
    /// ([`template_delivery`]).
    pub async fn new_document(
        &self,
        user: &UserRecord,
        folder_id: &str,
        kind: Option<folio_ooxml::Kind>,
        name: &str,
        template: Option<&str>,
    ) -> Result<folio_store::FileRecord, AppError> {
        let template = match template.filter(|t| !t.is_empty()) {
            None => None,
            Some(id) => {
                let t = self.meta().template(id).await?.ok_or(AppError::NotFound)?;
                let kind = template_kind(&t.name).ok_or(AppError::NotATemplate)?;
                Some((t, kind))
            }
        };
        let kind = match (&template, kind) {
            (Some((_, k)), _) => *k,
            (None, Some(k)) => k,
            (None, None) => return Err(AppError::NotATemplate),
        };
        let name = match document_name(name, kind) {
            Some(n) => {
                naming::validate_file_name(&n)?;
                n
            }
            None => {
                let base = kind.default_name();
                let mut name = base.to_owned();
                for n in 0..1000u32 {
                    name = naming::nth_alternative(base, n);
                    if self.meta().file_by_name(folder_id, &name).await?.is_none() {
                        break;
                    }
                }
                name
            }
        };
        let editor = self
            .editors()
            .choose(kind.extension(), Some("edit"), None)
            .await
            .map(|c| c.kind);
        let (bytes, pending) = match template {
            None => (folio_ooxml::blank(kind), None),
            Some((t, _)) => match template_delivery(editor) {
                TemplateDelivery::TemplateSource => (Vec::new(), Some(t.id)),
                TemplateDelivery::CopyContent => {
                    let raw = self.blob_vec(&t.blob_key).await?;
                    let doc = folio_ooxml::edit::document_from_template(&raw)
                        .map_err(|_| AppError::NotATemplate)?;
                    (doc, None)
                }
            },
        };
        let bytes = bytes::Bytes::from(bytes);
        let body: folio_store::ByteStream =
            Box::pin(futures::stream::once(async move { Ok(bytes) }));
        let file = self.upload(user, folder_id, &name, body).await?;
        if let Some(t) = pending {
            self.meta().set_file_template(&file.id, &t).await?;
        }
        Ok(file)
    }

    /// Before an editor that does not read `TemplateSource` opens an empty file that waits for a
    /// template (made for Collabora, now opened in another editor): the template's content is
    /// committed as the file's next version, so that editor shows the document too. Nothing
    /// happens for Collabora, for a file with content, or while the file is locked (an editor
    /// is making it); a failure leaves the file as it was and is logged (the page still opens).
    pub(crate) async fn fill_from_template(
        &self,
        user: &UserRecord,
        file: &folio_store::FileRecord,
        editor: EditorKind,
    ) {
        if file.content.size != 0
            || template_delivery(Some(editor)) != TemplateDelivery::CopyContent
        {
            return;
        }
        let filled = async {
            let Some(t) = self.meta().file_template(&file.id).await? else {
                return Ok::<_, AppError>(());
            };
            let raw = self.blob_vec(&t.blob_key).await?;
            let doc = bytes::Bytes::from(
                folio_ooxml::edit::document_from_template(&raw)
                    .map_err(|_| AppError::NotATemplate)?,
            );
            let body: folio_store::ByteStream =
                Box::pin(futures::stream::once(async move { Ok(doc) }));
            let (key, put) = self.store_blob(body).await?;
            let content = self.content(
                &key,
                &put,
                &user.id,
                "template",
                folio_store::VersionKind::Upload,
            );
            self.commit_emitting(
                &file.id,
                folio_store::WriteCheck::Unlocked,
                &key,
                content,
                None,
            )
            .await?;
            Ok(())
        }
        .await;
        if let Err(e) = filled {
            tracing::warn!(file.id = %file.id, error = %e, "cannot fill an empty document from its template");
        }
    }

    /// The `TemplateSource` URL of an empty file waiting for a template (Collabora sessions):
    /// self-authorised like `FileUrl`, valid for a few minutes and never beyond the token.
    pub(crate) async fn template_source(
        &self,
        file: &folio_store::FileRecord,
        token_expires_at: i64,
    ) -> Result<Option<String>, AppError> {
        if file.content.size != 0 || self.meta().file_template(&file.id).await?.is_none() {
            return Ok(None);
        }
        let exp = (self.now() + self.config().file_url_ttl_ms).min(token_expires_at);
        Ok(Some(format!(
            "{}/template/{}?e={}&s={}",
            self.config().public_url,
            file.id,
            exp,
            self.signed_url_mac("template", &file.id, exp)
        )))
    }

    /// Serves a `TemplateSource` URL: checks its signature and expiry, then streams the
    /// template the (still empty) file waits for.
    pub async fn get_template_by_url(
        &self,
        id: &FileId,
        exp: i64,
        sig: &str,
    ) -> Result<(folio_store::TemplateRecord, folio_store::ByteStream), AppError> {
        if !self.signed_url_valid("template", id, exp, sig) {
            return Err(WopiError::InvalidToken.into());
        }
        let file = self.meta().file(id).await?.ok_or(WopiError::FileNotFound)?;
        let t = self
            .meta()
            .file_template(&file.id)
            .await?
            .filter(|_| file.content.size == 0)
            .ok_or(WopiError::FileNotFound)?;
        let body = self.open_content(&t.blob_key).await?;
        Ok((t, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_ooxml::Kind::*;

    #[test]
    fn delivery_per_editor() {
        for (editor, want) in [
            (
                Some(EditorKind::Collabora),
                TemplateDelivery::TemplateSource,
            ),
            (Some(EditorKind::Microsoft), TemplateDelivery::CopyContent),
            (Some(EditorKind::OnlyOffice), TemplateDelivery::CopyContent),
            (Some(EditorKind::Dev), TemplateDelivery::CopyContent),
            (Some(EditorKind::Other), TemplateDelivery::CopyContent),
            (None, TemplateDelivery::CopyContent),
        ] {
            assert_eq!(template_delivery(editor), want, "{editor:?}");
        }
    }

    #[test]
    fn document_names() {
        for (typed, kind, want) in [
            ("", Word, None),
            ("New document", Word, None),
            ("New document.docx", Word, None),
            ("New workbook", Excel, None),
            ("New document", Excel, Some("New document.xlsx")),
            ("   ", Excel, None),
            ("Budget", Excel, Some("Budget.xlsx")),
            (" Budget 2027 ", Excel, Some("Budget 2027.xlsx")),
            ("Report.docx", Word, Some("Report.docx")),
            ("Report.DOCX", Word, Some("Report.DOCX")),
            ("Report.txt", Word, Some("Report.txt.docx")),
            ("Deck.pptx", Excel, Some("Deck.pptx.xlsx")),
            ("v1.2", PowerPoint, Some("v1.2.pptx")),
        ] {
            assert_eq!(document_name(typed, kind).as_deref(), want, "{typed:?}");
        }
        assert_eq!(template_kind("Letter.DOTX"), Some(Word));
        assert_eq!(template_kind("Sheet.xltx"), Some(Excel));
        assert_eq!(template_kind("Deck.potx"), Some(PowerPoint));
        assert_eq!(template_kind("notes.txt"), None);
    }
}
