<?php
/**
 * Horde's IMAP client, sending RFC 2971 ID before LOGIN.
 *
 * Horde_Imap_Client sends its `id` parameter only once logged in, which is too late for Dovecot: its passdb
 * has already checked the login with Horde's own address. Sent before LOGIN from an address in Dovecot's
 * login_trusted_networks, `x-originating-ip` makes the phone's address the client address of the login, so
 * the app passwords service counts failures for, and applies address restrictions to, the phone.
 *
 * Parameter `pre_login_id`: the ID fields to send before LOGIN (array of name => value).
 */
class AppPasswordsImapClient extends Horde_Imap_Client_Socket
{
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
}
