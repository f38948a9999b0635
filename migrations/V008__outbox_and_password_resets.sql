-- ============================================================================
-- V008: outgoing mail and password resets.
--
-- * app_private.outbox_emails: a transactional outbox. A change that causes
--   a mail writes the mail in the same transaction; a worker in `tenet serve`
--   delivers it over SMTP, retrying with backoff. A token a mail carries is
--   kept only until the mail is sent, then removed from the row.
-- * app_private.password_resets: single-use reset tokens (sha256 only),
--   valid one hour.
-- ============================================================================
-- Fail fast rather than queue behind a long transaction while holding locks.
SET lock_timeout = '5s';

CREATE TABLE app_private.outbox_emails (
  id               bigint      GENERATED ALWAYS AS IDENTITY,
  created_at       timestamptz NOT NULL DEFAULT now(),
  recipient        text        NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
  template         text        NOT NULL CHECK (template ~ '^[a-z_]+$'),
  payload          jsonb       NOT NULL DEFAULT '{}',
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz,
  sent_at          timestamptz,
  last_error       text        CHECK (length(last_error) <= 500),
  CONSTRAINT outbox_emails_pkey PRIMARY KEY (id)
);
CREATE INDEX outbox_emails_due_idx ON app_private.outbox_emails (next_attempt_at) WHERE sent_at IS NULL;
COMMENT ON TABLE app_private.outbox_emails IS
  'Mails to send, written in the transaction of the change that causes them; delivered by the worker of tenet serve '
  '(app.claim_outbox / app.outbox_sent / app.outbox_failed). A token in payload is removed once the mail is sent.';

CREATE TABLE app_private.password_resets (
  token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
  user_id     uuid        NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  CONSTRAINT password_resets_pkey PRIMARY KEY (token_hash)
);
CREATE INDEX password_resets_user_idx ON app_private.password_resets (user_id);
COMMENT ON TABLE app_private.password_resets IS
  'Password-reset tokens (sha256 only): single use, valid one hour; a new password ends every session of the account.';
