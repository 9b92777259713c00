<?php
/**
 * Exchange ActiveSync front end (Microsoft-Server-ActiveSync) of the app passwords recipe: Horde's
 * ActiveSync server (Debian's php-horde-activesync), logging in to Dovecot's EAS-only IMAP listener.
 * Installation and configuration: README.md beside this file. Settings: activesync.settings.php.
 */
// Horde's classes from Debian's /usr/share/php (PEAR layout: Horde_ActiveSync_State_Sql in
// Horde/ActiveSync/State/Sql.php, Horde\Socket\Client in Horde/Socket/Client.php); Debian ships no Horde
// autoloader without the whole Horde application.
spl_autoload_register(function ($class) {
    if (strncmp($class, 'Horde_', 6) === 0 || strncmp($class, 'Horde\\', 6) === 0) {
        $file = stream_resolve_include_path(str_replace(array('_', '\\'), '/', $class) . '.php');
        if ($file !== false) {
            require_once $file;
        }
    }
});
// Horde_ActiveSync throws this on a failed login; Horde defines it in its web application (php-horde-core,
// lib/Horde/Exception/AuthenticationFailure.php), which this recipe does not need.
if (!class_exists('Horde_Exception_AuthenticationFailure')) {
    class Horde_Exception_AuthenticationFailure extends Horde_Exception
    {
    }
}
require_once __DIR__ . '/AppPasswordsImapClient.php';
require_once __DIR__ . '/AppPasswordsDriver.php';

$settings = require __DIR__ . '/activesync.settings.php';

/**
 * The phone's address: the web server's client address, or, when that is a trusted reverse proxy (the TLS
 * front: nginx, Apache), the last address that proxy put in X-Forwarded-For.
 */
function app_passwords_phone_address(array $trustedProxies)
{
    $remote = isset($_SERVER['REMOTE_ADDR']) ? $_SERVER['REMOTE_ADDR'] : null;
    if ($remote !== null && in_array($remote, $trustedProxies, true) && !empty($_SERVER['HTTP_X_FORWARDED_FOR'])) {
        $hops = array_map('trim', explode(',', $_SERVER['HTTP_X_FORWARDED_FOR']));
        $last = end($hops);
        if (filter_var($last, FILTER_VALIDATE_IP) !== false) {
            return $last;
        }
    }
    return $remote;
}

$db = new Horde_Db_Adapter_Pdo_Sqlite(array('dbname' => $settings['state_database']));
// Creates or updates Horde's ActiveSync state tables (devices, sync keys, maps) on first use.
$migrator = new Horde_Db_Migration_Migrator($db, null, array(
    'migrationsPath' => '/usr/share/php/data/Horde_ActiveSync/migration',
    'schemaTableName' => 'horde_activesync_schema_info',
));
if ($migrator->getTargetVersion() > $migrator->getCurrentVersion()) {
    $migrator->up();
}

$request = new Horde_Controller_Request_Http();
$driver = new AppPasswordsDriver(array(
    'state' => $state = new Horde_ActiveSync_State_Sql(array('db' => $db)),
    'imap_settings' => array(
        'host' => $settings['imap_host'],
        'port' => $settings['imap_port'],
        'secure' => $settings['imap_secure'],
        'originating_ip' => app_passwords_phone_address($settings['trusted_proxies']),
    ),
));
$server = new Horde_ActiveSync(
    $driver,
    new Horde_ActiveSync_Wbxml_Decoder(fopen('php://input', 'r')),
    new Horde_ActiveSync_Wbxml_Encoder(fopen('php://output', 'w+')),
    $state,
    $request
);
$server->setLogger(new Horde_ActiveSync_Log_Factory(array('type' => 'onefile', 'path' => '/dev/null')));
$server->setSupportedVersion(Horde_ActiveSync::VERSION_SIXTEEN);

$get = $server->getGetVars();
$command = $_SERVER['REQUEST_METHOD'] === 'OPTIONS' ? 'Options' : (isset($get['Cmd']) ? $get['Cmd'] : '');
ob_start();
try {
    $server->handleRequest($command, isset($get['DeviceId']) ? $get['DeviceId'] : null);
    ob_end_flush();
} catch (Horde_Exception_AuthenticationFailure $e) {
    // A wrong (or deleted, or restricted) app password: the phone asks for the password again.
    ob_end_clean();
    http_response_code(401);
    header('WWW-Authenticate: Basic realm="ActiveSync"');
} catch (AppPasswordsUnavailable $e) {
    // An outage or a lockout: "try later", so the phone keeps its password and retries.
    ob_end_clean();
    http_response_code(503);
    header('Retry-After: ' . $settings['retry_after_seconds']);
} catch (Exception $e) {
    ob_end_clean();
    error_log('activesync: ' . get_class($e) . ': ' . $e->getMessage());
    http_response_code(500);
}
