//! `Identity`: who a verified access token says is asking. The database
//! checks it on every request (a live session of an active member whose
//! secret matches); nothing here is trusted beyond the signature.
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub session_id: Uuid,
    /// The session's secret (`ssec`), stored by the database only as a hash:
    /// knowing a session's ids (they appear in the audit log) is not enough
    /// to act as its member.
    pub session_secret: String,
}
