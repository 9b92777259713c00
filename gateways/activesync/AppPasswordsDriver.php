<?php
/**
 * The ActiveSync backend of this recipe: Horde's IMAP login is the authentication (through Dovecot, on the
 * IMAP listener that only this front uses, so the app passwords service sees `protocol: eas`), and the
 * folders a phone syncs are the mailbox's IMAP folders.
 *
 * Built on Horde_ActiveSync_Driver_Mock, the backend php-horde-activesync itself ships (Debian has no Horde
 * Groupware driver without the whole Horde web application): mail folders come from IMAP; calendars,
 * contacts, sending and message bodies are not provided by this recipe.
 */
class AppPasswordsDriver extends Horde_ActiveSync_Driver_Mock
{
    /** Thrown when Dovecot answers "try later" or cannot be reached: the entry script answers 503. */
    const UNAVAILABLE = 'AppPasswordsUnavailable';

    /** @var array IMAP settings: host, port, secure, originating_ip (the phone's address, or null). */
    protected $_imapSettings;

    /** @var AppPasswordsImapClient|null */
    protected $_client = null;

    public function __construct($params = array())
    {
        $this->_imapSettings = $params['imap_settings'];
        $params['connector'] = new AppPasswordsConnector();
        $params['imap'] = null;
        parent::__construct($params);
    }

    public function authenticate($username, $password, $domain = null)
    {
        $params = array(
            'username' => $username,
            'password' => $password,
            'hostspec' => $this->_imapSettings['host'],
            'port' => $this->_imapSettings['port'],
            'secure' => $this->_imapSettings['secure'],
            'timeout' => 30,
        );
        if (!empty($this->_imapSettings['originating_ip'])) {
            $params['pre_login_id'] = array(
                'name' => 'app-passwords-activesync',
                'x-originating-ip' => $this->_imapSettings['originating_ip'],
            );
        }
        $client = new AppPasswordsImapClient($params);
        try {
            $client->login();
        } catch (Horde_Imap_Client_Exception $e) {
            // Only Dovecot's AUTHENTICATIONFAILED is a wrong password (401, the phone asks for it again);
            // [UNAVAILABLE] (the service said "try later" or could not be reached) and no connection are an
            // outage, which must never read as a wrong password.
            if ($e->getCode() === Horde_Imap_Client_Exception::LOGIN_AUTHENTICATIONFAILED ||
                $e->getCode() === Horde_Imap_Client_Exception::LOGIN_AUTHORIZATIONFAILED) {
                return false;
            }
            throw new AppPasswordsUnavailable('IMAP login unavailable (code ' . $e->getCode() . ')');
        }
        $this->_client = $client;
        $this->_imap = new Horde_ActiveSync_Imap_Adapter(array('factory' => new AppPasswordsImapFactory($client)));
        // The mailbox is the one Dovecot logged in to (the person's current login name).
        return parent::authenticate($username, $password, $domain);
    }

    public function clearAuthentication()
    {
        if ($this->_client !== null) {
            $this->_client->logout();
            $this->_client = null;
        }
        return true;
    }

    protected function _getMailFolders()
    {
        // The Mock driver builds the list but returns nothing (php-horde-activesync 2.41.9).
        parent::_getMailFolders();
        return $this->_mailFolders;
    }

    protected function _getFolderUidForBackendId($sid, $type = null, $old_id = null)
    {
        // The folder's id on the phone is its IMAP name (the Mock driver's fixed INBOX id is then unknown to
        // its own getFolder).
        return $sid;
    }

    public function getUsernameFromEmail($email)
    {
        // Phones send the login as typed (an address, or DOMAIN\user): the login name is what Dovecot checks.
        return $email;
    }

    public function getProvisioning()
    {
        return false;
    }

    public function getSettings(array $settings, $device)
    {
        return array();
    }

    public function getHeartbeatConfig()
    {
        return array('heartbeatmin' => 60, 'heartbeatmax' => 2700, 'heartbeatdefault' => 480, 'deviceping' => true,
            'waitinterval' => 15);
    }
}

/** The backend's capabilities: mail only. */
class AppPasswordsConnector extends Horde_ActiveSync_Driver_MockConnector
{
    public function listApis()
    {
        return array('mail');
    }
}

/** Hands Horde's IMAP adapter the logged-in client and the mailbox's folders. */
class AppPasswordsImapFactory implements Horde_ActiveSync_Interface_ImapFactory
{
    protected $_client;

    public function __construct(Horde_Imap_Client_Base $client)
    {
        $this->_client = $client;
    }

    public function getImapOb()
    {
        return $this->_client;
    }

    public function getMailboxes($force = false)
    {
        $folders = array();
        $list = $this->_client->listMailboxes('*', Horde_Imap_Client::MBOX_ALL, array('delimiter' => true));
        foreach ($list as $name => $info) {
            $folders[$name] = array(
                'level' => substr_count($name, $info['delimiter']),
                'label' => $name,
                'd' => $info['delimiter'],
            );
        }
        return $folders;
    }

    public function getSpecialMailboxes()
    {
        return array();
    }
}

/** Dovecot answered "try later" ([UNAVAILABLE]) or could not be reached. */
class AppPasswordsUnavailable extends Exception
{
}
