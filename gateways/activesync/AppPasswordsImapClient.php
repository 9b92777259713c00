<?php
/**
 * Horde's IMAP client, sending RFC 2971 ID before LOGIN.
 *
 * Horde_Imap_Client sends its `id` parameter only once logged in, which is too late for Dovecot: its passdb
 * has already checked the login with Horde's own address. Sent before LOGIN from an address in Dovecot's
 * login_trusted_networks, `x-originating-ip` makes the phone's address the client address of the login, so
 * the app passwords service counts failures for, and applies address restrictions to, the phone.
 *
 * It also logs in once per connection: Horde's client retries a refused login with each other mechanism it
 * knows (AUTHENTICATE PLAIN, then LOGIN), so each phone request with a wrong password would cost two verify
 * calls and count twice towards the phone's lockout, and an outage would wait twice the timeout.
 *
 * Parameter `pre_login_id`: the ID fields to send before LOGIN (array of name => value).
 */
class AppPasswordsImapClient extends Horde_Imap_Client_Socket
{
    /** @var Horde_Imap_Client_Exception|null The answer to this connection's login attempt. */
    protected $_loginRefused = null;

    protected function _connect()
    {
        if (!is_null($this->_connection)) {
            return;
        }
        parent::_connect();
        $id = $this->getParam('pre_login_id');
        if (!empty($id)) {
            // Queued by _sendID; a NO to the ID (a server that refuses it) does not stop the login.
            $this->_sendID($id);
            $this->_sendCmd($this->_pipeline());
        }
    }

    protected function _tryLogin($method)
    {
        // Dovecot's answer to the first attempt (wrong password, or try later) stands for every mechanism.
        if ($this->_loginRefused !== null) {
            throw $this->_loginRefused;
        }
        try {
            return parent::_tryLogin($method);
        } catch (Horde_Imap_Client_Exception $e) {
            $this->_loginRefused = $e;
            throw $e;
        }
    }
}
