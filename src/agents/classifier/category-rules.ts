// Weighted terms per ticket category. Specific names and phrases weigh more than generic words, so
// "no space left on device" is storage even though it says "device", and "sql injection" is security.
import type { Category } from '../../core/ticket.ts';
import type { TermRule } from './term-matcher.ts';

export type RuleCategory = Exclude<Category, 'other'>;

const table: Record<RuleCategory, ReadonlyArray<readonly [string, number]>> = {
  database: [
    [
      '{postgres|postgresql|psql|pg_dump|pg_restore|pgbouncer|mysql|mariadb|mssql|sqlite|mongodb|mongo|cassandra|dynamodb|sql server|oracle db}',
      3,
    ],
    ['{database|databases|db|dba}', 3],
    ['{deadlock|deadlocks|deadlocked}', 3.5],
    ['{connection pool|connection pooling|too many connections|max_connections}', 4],
    ['{replication lag|replica lag|replication}', 3.5],
    ['{replica|replicas|primary node|failover}', 2],
    ['{slow|long-running|long running|blocked|stuck|hanging|failing} {query|queries}', 4],
    ['{query|queries|sql}', 2],
    [
      '{foreign key|primary key|unique constraint|constraint violation|stored procedure|transaction log|tablespace|vacuum|autovacuum|row lock|lock wait|lock timeout}',
      3,
    ],
    ['{schema migration|migration failed|failed migration}', 3],
    ['{table|tables|index|indexes|indices|schema|transaction|transactions}', 1.5],
    ['{redis|elasticsearch|opensearch}', 2],
  ],
  network: [
    ['{dns|vpn|traceroute|tracert|mtu|vlan|bgp|dhcp|subnet|netmask}', 3],
    ['{packet loss|dropped packets|jitter}', 4],
    ['{firewall|firewalls|firewall rule|firewall rules}', 3],
    ['{timeout|timed out|time out|times out} connecting', 4],
    [
      "{connection refused|connection reset|no route to host|host unreachable|network unreachable|name resolution|could not resolve|cannot resolve|can't resolve}",
      4,
    ],
    ['{latency|ping|packets} to', 3],
    ['{unreachable|ping}', 2.5],
    ['{intermittent|dropping|dropped} {connection|connections|connectivity}', 3],
    ['{router|access point|ethernet|lan|wan|wifi|wi-fi|wireless}', 2.5],
    ['{network|internet|connectivity|bandwidth|disconnecting|disconnects|disconnected}', 2],
    ['{proxy|load balancer|gateway|nat|cdn|ip address|ip|tcp|udp}', 2],
    ['{tls|ssl} handshake', 3],
    ['port #', 2.5],
    ['{port|ports}', 1.5],
  ],
  security: [
    ['{data breach|security breach|breach|breached}', 5],
    ['{malware|ransomware|trojan|spyware|keylogger|rootkit|botnet|backdoor|virus|viruses|worm}', 4],
    ['{phishing|phish|spear phishing}', 4],
    [
      '{suspicious login*|suspicious sign-in*|suspicious activity|suspicious email*|suspicious link*|suspicious attachment*|suspicious process*}',
      4,
    ],
    ['{failed logins|failed login attempts|failed sign-ins|brute force|credential stuffing|password spraying}', 4],
    ['encrypted {my|our|all} files', 4],
    [
      '{compromised|hacked|hijacked|intrusion|intruder|exploit|exploited|vulnerability|vulnerabilities|cve|zero-day|xss|csrf|sql injection|ddos}',
      3.5,
    ],
    ['{leaked|leak|leaks|exfiltration|exfiltrated}', 3],
    ['{unauthorized access|unauthorised access|security incident|security alert|antivirus}', 3],
    ['{attack|attacker|attackers|spam|scam}', 2],
    ['security', 2],
    // Keeping data safe: encryption, protection and the rules that demand it are security work, asked or broken.
    ['{encryption|encrypt|encrypting|decrypt|decryption|end-to-end encryption|encryption keys}', 3],
    [
      '{secure|securing|safeguard|safeguarding|safeguards|data protection|protect sensitive|protecting sensitive|hardening|harden}',
      2.5,
    ],
    [
      '{confidentiality|data privacy|privacy|sensitive data|sensitive information|personal data|hipaa|gdpr|pci dss|soc 2|iso 27001|compliance|compliant|audit trail|audit trails}',
      2.5,
    ],
    ['{certificate|certificates|cert|ssl certificate|tls certificate|expired certificate|certificate expired}', 1.5],
  ],
  access: [
    [
      '{password reset|reset my password|reset password|forgot password|forgot my password|password expired|expired password|change my password}',
      4,
    ],
    [
      '{locked out|account locked|account is locked|account disabled|account is disabled|disabled account|account lockout}',
      4,
    ],
    ["{can't|cannot|cant|can not|unable to|couldn't} {log in|login|log on|sign in|sign on}", 4],
    ['{permission denied|access denied|not authorized|not authorised|unauthorized|unauthorised|forbidden}', 3.5],
    [
      '{sso|single sign-on|single sign on|mfa|2fa|two-factor|two factor|multi-factor|authenticator|otp|okta|active directory|ldap|saml}',
      3,
    ],
    ['{403|401}', 3],
    ['{grant access|request access|need access|access request|give me access|access rights}', 3],
    ['{permission|permissions|role|roles|group membership}', 2],
    ['{login|log in|sign in|sign-in|logon|password|passwords|credentials|username}', 2],
    [
      '{login|log in|log-in|logon|sign in|sign-in|sign on|authentication} {failure|failures|failed|fails|failing|problem|problems|issue|issues|difficulties|difficulty|error|errors|trouble}',
      4,
    ],
    ['{trouble|problems|difficulty|difficulties} {logging|signing} in', 4],
    ['{failed|unable|not able} to {log in|login|sign in|authenticate}', 4],
    [
      '{denied access|was denied|been denied|access was denied|access is denied|lost access|no longer have access|no access}',
      3.5,
    ],
    ['{account|accounts|access}', 1.5],
    [
      '{my account|our account|account settings|account details|account setup|account access|user account|user accounts|account management}',
      3,
    ],
    // Getting in: reaching an account or a system the requester should be able to open.
    [
      "{unable to|cannot|can't|cant|can not|couldn't|could not|not able to} {access|open|reach|get into|get in to} {my|our|the|their} {account|accounts|profile|mailbox|email account|portal|workspace|admin panel}",
      4,
    ],
    [
      '{trouble|problem|problems|issue|issues|difficulty|difficulties|error|errors} {accessing|signing into|logging into|getting into}',
      3.5,
    ],
    [
      '{access issue|access issues|access problem|access problems|access error|login page|sign-in page|login screen|sign-in screen|session expired|session expires|keeps logging me out|logged out|signed out}',
      3,
    ],
    [
      '{verification code|security code|one-time code|one time code|reset link|password link|two-step|2-step|authenticator app|recovery code|recovery email}',
      3,
    ],
    [
      '{locked|lockout|locked account|account suspended|account deactivated|account was suspended|account has been suspended|reactivate my account|unlock my account|unlock}',
      3,
    ],
    [
      '{admin rights|admin privileges|administrator rights|privileges|elevated rights|read-only access|write access|edit access|shared access|user rights|access level|access levels}',
      3,
    ],
    ['{add a user|add users|new user|remove a user|user access|onboard|offboard|deactivate the user}', 2],
  ],
  storage: [
    [
      '{disk full|disk is full|drive is full|drive full|volume full|volume is full|partition full|no space left|no space left on device|out of disk space|out of space|low disk space|running out of space|enospc|storage full|storage is full|full disk}',
      4.5,
    ],
    ['{quota|quotas|quota exceeded|over quota|mailbox full|mailbox is full}', 3.5],
    ['{inode|inodes}', 4],
    ['{backup storage|backup disk|backup volume|backup drive}', 4],
    ['{disk space|disk usage}', 4],
    ['{nas|san|nfs|smb|cifs|s3|s3 bucket|bucket|blob storage|object storage}', 3],
    ['{shared drive|network drive|file share|shared folder|mapped drive|onedrive|dropbox|google drive|sharepoint}', 3],
    [
      '{volume|volumes|partition|partitions|filesystem|file system|mount|mounted|mount point|unmounted|lvm|raid array}',
      2.5,
    ],
    ['{storage|disk|disks|snapshot|snapshots}', 2],
    [
      '{backup|backups|back up|backed up|restore|restoring|restored|data recovery|recover data|recover files|recovery point}',
      2.5,
    ],
  ],
  performance: [
    ['{high cpu|cpu usage|cpu load|cpu spike|100% cpu|cpu at #%|high load|load average|load avg}', 4],
    [
      '{memory leak|out of memory|oom|oom killer|oomkilled|high memory|memory usage|memory pressure|ram usage|swap usage|swapping}',
      4,
    ],
    [
      '{slow|slowly|slowness|sluggish|laggy|lag|lagging|latency|high latency|response time|response times|takes forever|taking forever}',
      2.5,
    ],
    ['{hanging|hangs|hang|freezes|freezing|frozen|unresponsive|stalls|stalled}', 2.5],
    ['{throughput|bottleneck|degraded|degraded performance|performance|p95|p99}', 2.5],
    ['{cpu|memory|ram}', 1],
    // Tuning work is performance work even when nothing is slow yet.
    [
      '{optimize|optimise|optimizing|optimising|optimization|optimisation|tuning|speed up|efficiency|scalability|scaling|load times|loading times}',
      2,
    ],
    [
      '{performance issue*|performance problem*|performance degradation|poor performance|performance drop|performance tracking|performance metrics}',
      3.5,
    ],
    // Slowness as users tell it: things take long, wait, lag behind at busy times, or run out of room to work.
    [
      '{slowdown|slowdowns|slow down|slowing down|slowed down|slower|very slow|too slow|so slow|running slow|runs slow|loading slowly|loads slowly}',
      3.5,
    ],
    [
      '{delay|delays|delayed|long wait|long waits|waiting times|wait times|takes ages|takes a long time|taking a long time|taking longer|takes longer}',
      2,
    ],
    [
      '{resource limits|resource limitations|insufficient resources|resource usage|resource constraints|server resources|capacity|throttled|throttling|timeouts}',
      2,
    ],
    [
      '{underperforming|underperform|underperforms|underperformed|underperformance|not performing|performs poorly|inefficient|inefficiencies}',
      2.5,
    ],
  ],
  application: [
    [
      '{500 error|error 500|http 500|internal server error|502|503|504|bad gateway|service unavailable|gateway timeout}',
      4,
    ],
    [
      '{website down|site down|site is down|website is down|service down|service is down|app down|app is down|application down|api down|api is down}',
      4,
    ],
    [
      '{stack trace|stacktrace|traceback|exception|exceptions|unhandled exception|nullpointerexception|null pointer|null reference|segfault|segmentation fault|core dump|typeerror}',
      3.5,
    ],
    ['{api returns|api returned|api call|api calls|api error|api errors|endpoint|endpoints|webhook|webhooks}', 3],
    ['{crash|crashes|crashed|crashing}', 3],
    ['{bug|bugs|regression|glitch}', 2.5],
    ['{deploy|deployed|deployment|deploying|release|rollout|hotfix|build failed|pipeline}', 2.5],
    ['{docker|container|containers|kubernetes|k8s|pod|pods|crashloopbackoff|helm|nginx|tomcat}', 2],
    ['api', 2],
    ['{outage|outages|is down|went down|offline|payment|payments}', 1.5],
    [
      '{website|web app|webapp|web page|webpage|page|app|application|frontend|backend|ui|button|form|checkout|dashboard}',
      1.5,
    ],
    ['{error message|error code|error|errors}', 1],
    // Software in general: installs, updates, versions and integrations are application problems unless a more
    // specific term (a database, a disk, a network) says otherwise.
    ['{software|plugin|plugins|add-on|add-ons|saas|crm|erp}', 1.5],
    ['{sync|syncing|synchronization|synchronisation|incompatible|incompatibility}', 1.5],
    [
      "{not syncing|not saving|won't save|does not save|doesn't save|sync fails|sync failed|sync error|sync issue*|sync problem*}",
      3,
    ],
  ],
  hardware: [
    [
      '{raid disk failure|disk failure|failed disk|failing disk|drive failure|failed drive|hard drive|hdd|ssd|smart error|bad sectors|degraded raid|raid}',
      3.5,
    ],
    ['{printer|printers|paper jam|toner|scanner|copier|projector}', 3.5],
    [
      '{fan|fans|battery|overheating|overheats|overheated|beeping|beeps|power supply|psu|motherboard|bios|gpu|graphics card|memory module|ram stick|cracked screen|broken screen|dead pixel|dead pixels}',
      3.5,
    ],
    ["{won't|doesn't|does not|will not} {turn on|power on|boot}", 3.5],
    ['{laptop|laptops|desktop|workstation|notebook|macbook|thinkpad}', 3],
    [
      '{keyboard|mouse|monitor|monitors|webcam|headset|headphones|microphone|docking station|dock|charger|power adapter|usb|hdmi|cable|touchpad|trackpad}',
      3,
    ],
    ['{screen|display}', 1.5],
    ['{hardware|phone|tablet|ipad|iphone|device}', 1.5],
    // The requester's own device is what the ticket is about, even when what fails is its connection or its software.
    [
      "{my|our|the customer's|a customer's} {printer|printers|scanner|laptop|laptops|notebook|desktop|computer|pc|macbook|monitor|keyboard|mouse|headset|headphones|webcam|smartphone|tablet|ipad|iphone|dock|docking station|projector}",
      5,
    ],
    // Restarting one's own computer is a step tried against the problem, not what the problem is about.
    [
      '{restart|restarted|restarting|reboot|rebooted|rebooting|restart of} {my|our|the} {laptop|laptops|macbook|computer|computers|pc|desktop|device|devices|notebook|workstation|phone}',
      0,
    ],
    // Contact details, not a device.
    ['{phone number|telephone number|mobile number|by phone|phone call|on the phone}', 0],
  ],
};

// A fault told the way users tell it: something stopped, failed or lost data after an update, and a restart or a
// reinstall did not help. These words confirm whatever kind of problem the specific terms name ("the login failed
// after the update" stays access); when none is named, it is a software problem.
const fault: ReadonlyArray<readonly [string, number]> = [
  [
    "{malfunction|malfunctions|malfunctioning|system failure|system crash|downtime|not loading|fails to load|failed to load|won't load|data loss|lost data|corrupted|corruption}",
    2,
  ],
  ['{failure|failures|failed|failing|fails}', 1],
  ['{update|updates|updated|upgrade|upgraded|patch|patches|version|versions}', 1],
  [
    '{reinstall|reinstalled|reinstalling|restarted|restarting|reboot|rebooted|rebooting|cache|browser|browsers|server|servers}',
    1,
  ],
];

export const FAULT_RULES: ReadonlyArray<TermRule<'application'>> = fault.map(([term, weight]) => ({
  label: 'application',
  term,
  weight,
}));

export const CATEGORY_RULES: ReadonlyArray<TermRule<RuleCategory>> = Object.entries(table).flatMap(([label, terms]) =>
  terms.map(([term, weight]) => ({ label: label as RuleCategory, term, weight })),
);
