// Support-domain cues that word lexicons miss: complaints often state facts ("flight cancelled", "on hold
// for 2 hours", "third time I ask") with no sentiment word at all. Ordered: specific cues before general ones.

export const CUE_KINDS = [
  'outage',
  'blocked',
  'deadline',
  'urgent',
  'waiting',
  'repeat',
  'complaint',
  'frustration',
  'sarcasm',
  'emoji',
  'resolved',
  'praise',
  'calm',
  'question',
  'impact',
] as const;
export type CueKind = (typeof CUE_KINDS)[number];

export interface Cue {
  kind: CueKind;
  /** Valence added when the cue fires (negative for complaints, 0 for urgency-only cues). */
  weight: number;
  pattern: RegExp;
}

/**
 * What each kind says about urgency: `high` raises it; `impact` raises it when the message is a complaint
 * ("production is slow", not "how do I deploy to production?"); `calm` lowers it outright; `soft` lowers it
 * for messages that are not complaints.
 */
export const KIND_URGENCY: Readonly<Partial<Record<CueKind, 'high' | 'impact' | 'calm' | 'soft'>>> = {
  outage: 'high',
  blocked: 'high',
  deadline: 'high',
  urgent: 'high',
  impact: 'impact',
  calm: 'calm',
  question: 'soft',
};

// Bounded alternations of literals only: no nested quantifiers, so matching stays linear in the text length.
const NUM = String.raw`(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|many|multiple|few|couple\s+of)`;
const SPAN = String.raw`(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)`;
const CANT = String.raw`(?:can't|cant|cannot|can\s+not|couldn't|couldnt|unable\s+to|not\s+able\s+to)`;
const SYSTEMS = String.raw`(?:website|site|server|servers|service|services|system|systems|app|application|api|network|internet|wifi|wi-fi|portal|platform|database|db|email|vpn|everything|prod|production)`;
const DAYS = String.raw`(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)`;

const table: ReadonlyArray<readonly [CueKind, number, string]> = [
  // Urgency-lowering statements first, so "not urgent" is not read as "urgent".
  [
    'calm',
    0,
    String.raw`\b(?:no\s+(?:rush|hurry|pressure)|not\s+(?:urgent|a\s+priority|time[\s-]critical|pressing)|when(?:ever)?\s+you\s+(?:have|get|find)\s+(?:a\s+)?(?:time|chance|moment|minute)|whenever\s+(?:you\s+can|possible|convenient)|at\s+your\s+(?:convenience|leisure)|low\s+priority|nice\s+to\s+have|feature\s+request|would\s+be\s+nice)\b`,
  ],
  // "Can you explain why my bag is in Atlanta" accuses; it is not the calm question it looks like.
  ['frustration', -1.5, String.raw`\b(?:explain|tell\s+(?:me|us)|know|understand)\s+why\b`],
  [
    'question',
    0,
    String.raw`\b(?:how\s+(?:do|can|should|would|could)\s+(?:i|we|you|one)|is\s+(?:it|there)\s+(?:possible|a\s+way)|(?:quick|small|general|simple)\s+question|i\s+have\s+a\s+question|question\s+about|just\s+(?:wondering|curious|checking|asking)|i\s+was\s+wondering|i'm\s+wondering|curious\s+(?:if|whether|about)|(?:could|can)\s+you\s+(?:please\s+)?(?:tell|explain|advise|confirm|clarify)|any\s+(?:tips|advice|recommendations?)|what(?:'s|\s+is)\s+the\s+best\s+way|where\s+can\s+i\s+find|do\s+you\s+(?:offer|have|support|allow))\b`,
  ],
  // Sarcasm and resolution before the plain words they contain ("thanks for nothing", "working again").
  [
    'sarcasm',
    -4,
    String.raw`\b(?:thanks|thank\s+you)\s+(?:for\s+nothing|a\s+lot\s+for\s+nothing|for\s+ruining|for\s+making\s+me|for\s+wasting)\b`,
  ],
  [
    'sarcasm',
    -3,
    String.raw`\b(?:(?:oh|just|yeah|how)\s+(?:great|wonderful|fantastic|lovely|perfect|nice|brilliant)|great\s+job\s+(?:losing|cancell?ing|delaying|ruining|breaking)|love\s+(?:how|when|being|waiting|sitting|spending)|yeah\s+right|big\s+surprise)\b`,
  ],
  [
    'resolved',
    2.5,
    String.raw`\b(?:(?:works?|working|is\s+up)\s+(?:now|again|perfectly|fine|great)|back\s+(?:up|online|to\s+normal)|up\s+and\s+running|all\s+good\s+now|problem\s+solved|(?:it's|is|got\s+it|has\s+been|have\s+been|was|been|all|now)\s+(?:fixed|sorted|resolved|solved))\b`,
  ],
  [
    'praise',
    3,
    String.raw`\b(?:thank(?:s|\s+you)\s+(?:so|very)\s+much|much\s+appreciated|thanks\s+(?:a\s+(?:lot|ton|million)|again)|thank\s+you\s+again|(?:great|excellent|awesome|amazing|fantastic|quick|fast|friendly|helpful|wonderful)\s+(?:job|service|support|help|response|reply|team|work|crew|staff|experience)|you(?:'re|\s+are|\s+guys\s+are)\s+(?:the\s+best|awesome|amazing|great|stars?)|well\s+done|keep\s+up\s+the\s+good\s+work)\b`,
  ],
  // Outages: the service itself does not work.
  [
    'outage',
    -3,
    String.raw`\b(?:keeps?|kept)\s+(?:on\s+)?(?:crashing|failing|freezing|dropping|disconnecting|timing\s+out|restarting|rebooting)\b`,
  ],
  [
    'outage',
    -3,
    String.raw`\b(?:is|are|was|were|went|goes|gone|been|being|it's|its|that's|shut|completely|totally|still|all|${SYSTEMS})\s+down\b|\bdown\s+(?:again|since|for\s+(?:everyone|everybody|all|hours|days|\d))`,
  ],
  [
    'outage',
    -3,
    String.raw`\b(?:outages?|offline|unreachable|unavailable|inaccessible|unusable|blue\s+screen|bsod|kernel\s+panic|data\s+loss)\b`,
  ],
  [
    'outage',
    -3,
    String.raw`\b(?:not|isn't|isnt|aren't|arent|stopped|stop)\s+(?:working|loading|responding|starting|booting|connecting|syncing|printing|sending|opening)\b`,
  ],
  [
    'outage',
    -3,
    String.raw`\b(?:doesn't|doesnt|does\s+not|don't|dont|won't|wont|will\s+not|didn't|didnt|never)\s+(?:work|load|respond|start|boot|connect|open|sync|print|send)(?:s|ed)?\b`,
  ],
  [
    'outage',
    -3,
    String.raw`\b${CANT}\s+(?:log\s*in(?:to)?|login|sign\s*in|sign\s+on|access|connect|reach|get\s+(?:in|into|through)|check\s*in|book|load|open|print|send|pay|make\s+(?:a\s+)?(?:payment|calls?))\b`,
  ],
  [
    'outage',
    -3,
    String.raw`\b(?:error|http|status|returns?|returning|got|getting|throws?)\s*(?:code\s*)?(?:an?\s+)?5\d\d\b|\b5\d\d\s+(?:error|internal)|\b(?:internal\s+server\s+error|bad\s+gateway|service\s+unavailable|gateway\s+time-?out)\b`,
  ],
  ['outage', -2.5, String.raw`\b(?:crash(?:ed|es|ing)?|broken|broke\s+down|timed?\s*out|times\s+out|timeouts?)\b`],
  [
    'outage',
    -2.5,
    String.raw`\b(?:connection|calls?|signal|wifi|wi-fi|internet|network|line)\s+(?:keeps\s+|has\s+been\s+|is\s+|was\s+)?(?:dropping|dropped|drops)\b|\bhas\s+been\s+(?:dropping|failing|crashing|freezing)\b`,
  ],
  [
    'outage',
    -2.5,
    String.raw`\b(?:wifi|wi-fi|internet|power|tv|entertainment|screens?|ac|a\/c|air\s+conditioning|lights|phones?|phone\s+lines?|system)\s+(?:is\s+|was\s+|are\s+|were\s+|went\s+|goes\s+|has\s+been\s+)?(?:out|dead)\b`,
  ],
  [
    'outage',
    -2.5,
    String.raw`\bno\s+(?:wifi|wi-fi|internet|power|signal|connection|connectivity|network|dial\s+tone)\b`,
  ],
  [
    'outage',
    -2,
    String.raw`\b(?:customers?|clients?|users?|everyone|everybody)\s+(?:are\s+|is\s+)?(?:affected|impacted)\b`,
  ],
  [
    'blocked',
    -2.5,
    String.raw`\b(?:(?:won't|wont|doesn't|doesnt|didn't|didnt|will\s+not)\s+let\s+(?:me|us)|locked\s+out|blocked|blocking\s+(?:me|us|our|my)|${CANT}\s+(?:work|do\s+(?:my|any)\s+(?:job|work))|work\s+is\s+blocked)\b`,
  ],
  // Deadlines and explicit urgency.
  [
    'deadline',
    -1,
    String.raw`\bby\s+(?:tomorrow|tonight|today|this\s+(?:afternoon|evening|morning)|end\s+of\s+(?:the\s+)?(?:day|week)|eod|cob|noon|${DAYS}|\d{1,2}(?::\d{2})?\s*(?:am|pm))\b`,
  ],
  [
    'deadline',
    -1,
    String.raw`\bbefore\s+(?:the\s+|my\s+|our\s+|a\s+)?(?:demo|meeting|deadline|launch|release|presentation|go-live|audit|flight|event|client|call|end\s+of)\b|\b(?:deadline|go-live|due\s+(?:today|tomorrow|tonight))\b`,
  ],
  [
    'deadline',
    -1,
    String.raw`\b(?:in|within)\s+(?:the\s+next\s+)?(?:\d+|an?|one|two|few)\s+(?:min(?:ute)?s?|hours?)\b`,
  ],
  ['impact', -0.5, String.raw`\b(?:production|prod|live\s+site|all\s+(?:users|customers))\b`],
  [
    'urgent',
    -1.5,
    String.raw`\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|immediately|emergency|critical|right\s+(?:now|away)|as\s+soon\s+as\s+possible|at\s+once|top\s+priority|high\s+priority|sev(?:erity)?\s*1|time[\s-]sensitive)\b`,
  ],
  // Waiting time.
  [
    'waiting',
    -2.5,
    String.raw`\b(?:waiting|waited|wait|holding|on\s+hold|queued|stuck|delayed|late|sitting|sat|stranded|on\s+the\s+phone)\s+(?:here\s+|there\s+)?(?:for\s+)?(?:over\s+|almost\s+|nearly\s+|more\s+than\s+|about\s+|around\s+)?${NUM}\s*\+?\s*${SPAN}\b`,
  ],
  [
    'waiting',
    -2,
    String.raw`\b(?:sitting|sat|stuck|waiting|waited|stranded|standing|holding)\b[^.!?\n]{1,40}?\bfor\s+(?:over\s+|almost\s+|nearly\s+|more\s+than\s+)?${NUM}\s*\+?\s*${SPAN}\b`,
  ],
  [
    'waiting',
    -2,
    String.raw`\b(?:took|spent|wasted)\s+(?:us\s+|me\s+)?(?:over\s+|almost\s+|nearly\s+|more\s+than\s+)?${NUM}\s*\+?\s*${SPAN}\b|\bspent\s+(?:my|our|the)\s+(?:whole|entire)\s+(?:morning|day|afternoon|evening|night|weekend)\b`,
  ],
  [
    'waiting',
    -2.5,
    String.raw`\b${NUM}\s*\+?\s*(?:min(?:ute)?s?|hours?|hrs|days|weeks)\s+(?:behind|late|delay(?:ed)?|wait(?:ing)?|on\s+hold|on\s+the\s+(?:tarmac|phone|plane)|in\s+line|and\s+(?:still|no|counting))\b`,
  ],
  [
    'waiting',
    -2,
    String.raw`\bon\s+hold\b|\bsince\s+(?:yesterday|last\s+(?:night|week|month|${DAYS})|(?:early\s+)?this\s+morning|${DAYS}|\d{1,2}(?::\d\d)?\s*(?:am|pm))\b`,
  ],
  [
    'waiting',
    -2,
    String.raw`\bfor\s+(?:days|hours|weeks|months|ages|ever|so\s+long|over\s+an?\s+(?:hour|week))\b|\bforever\b`,
  ],
  [
    'waiting',
    -1.5,
    String.raw`\bwaiting\s+(?:on|for)\s+(?:my|a|the|an|your)\b|\bwhere\s+(?:is|are)\s+(?:my|our)\b|\bany\s+(?:update|news|word|eta)\b`,
  ],
  ['waiting', -2, String.raw`\bfor\s+(?:over\s+|almost\s+|nearly\s+|more\s+than\s+)?${NUM}\s+${SPAN}\s+now\b`],
  [
    'waiting',
    -1.5,
    String.raw`\b(?:been\s+)?trying\s+to\s+(?:reach|contact|call|get\s+(?:through|hold|a\s+hold|in\s+touch))\b`,
  ],
  ['waiting', -1, String.raw`\bhow\s+long\b`],
  ['waiting', -0.5, String.raw`\b(?:\d+|two|three|four|five|six|several|many)\s*\+?\s*(?:hours?|hrs|days|weeks)\b`],
  // Repeated contact.
  [
    'repeat',
    -2.5,
    String.raw`\b(?:second|2nd|third|3rd|fourth|4th|fifth|5th|\d+th|umpteenth|nth)\s+(?:time|email|call|message|request|ticket|attempt|tweet|dm|complaint)\b`,
  ],
  [
    'repeat',
    -1.5,
    String.raw`\bevery\s+(?:\d+|few|couple\s+of|other)\s+(?:seconds?|min(?:ute)?s?|hours?|days?)\b|\blogs?\s+(?:me|us)\s+out\b`,
  ],
  [
    'repeat',
    -2.5,
    String.raw`\b(?:called|emailed|tweeted|contacted|messaged|phoned|tried|asked|reported)\s+(?:you\s+|them\s+|support\s+|it\s+)?(?:\d+|two|three|four|five|six|several|multiple|many|numerous|countless|a\s+dozen)\s+times\b`,
  ],
  [
    'repeat',
    -3,
    String.raw`\b(?:nobody|no\s*one|no-one)\s+(?:has\s+|have\s+|ever\s+|is\s+|will\s+)?(?:answered|answers|answering|responded|responds|responding|replied|replies|helped|helps|helping|called|calls|picks?\s+up|picked\s+up|got\s+back|gets\s+back|cares|knows|seems\s+to)\b`,
  ],
  [
    'repeat',
    -2.5,
    String.raw`\b(?:haven't|havent|have\s+not|hasn't|hasnt|never)\s+(?:heard|received|got(?:ten)?|been\s+(?:contacted|refunded|helped))\b`,
  ],
  [
    'repeat',
    -2.5,
    String.raw`\bnever\s+(?:happened|came|showed(?:\s+up)?|arrived|called\s+back|got\s+back)\b|\bis\s+(?:any(?:one|body)|someone|somebody)\s+(?:there|going|working|reading|listening|home|able|available)\b`,
  ],
  [
    'repeat',
    -2,
    String.raw`\bno\s+(?:one|response|reply|replies|answer|answers|help|update|updates|call\s*back|callback|follow[\s-]?up|communication|info|information|explanation|apology|refund|compensation)\b`,
  ],
  [
    'repeat',
    -2,
    String.raw`\b(?:yet\s+again|once\s+again|over\s+and\s+over|again\s+and\s+again|every\s+(?:single\s+)?time|time\s+after\s+time)\b|\bkeeps?\s+(?:on\s+)?(?:happening|[a-z]+ing)\b`,
  ],
  [
    'repeat',
    -2,
    String.raw`\bstill\b(?=\s+(?:not|no|nothing|waiting|broken|down|failing|haven't|hasn't|havent|hasnt|can't|cant|unable|stuck|delayed|missing|having|getting|the\s+same))`,
  ],
  [
    'repeat',
    -1.5,
    String.raw`\b(?:another|more)\s+(?:delay|cancell?ation|hour|day|week|issue|problem|outage|error|excuse)\b`,
  ],
  ['repeat', -1, String.raw`\b(?:still|again)\b|\b(?:\d+|two|three|four|five|several|multiple|many)\s+times\b`],
  // Complaint facts.
  // Counterfactuals and broken expectations: what should have happened, what will not happen again.
  [
    'complaint',
    -2.5,
    String.raw`\b(?:shouldn't|should\s+not|shouldnt)\s+have\s+to\b|\bshould\s+(?:have|'ve)\s+(?:been|told|said|called|sent|offered|given|known|let)\b|\bdeserve(?:s|d)?\s+(?:better|more|an?\s+(?:answer|explanation|apology|refund))\b|\b(?:would|'d)\s+(?:have\s+)?rather\b`,
  ],
  [
    'complaint',
    -3,
    String.raw`\b(?:last|final)\s+time\s+(?:i|we)(?:'ll|\s+will)?\s+(?:ever\s+)?(?:fly|use|buy|book|order|choose|trust|deal)\b|\b(?:ever|never)\s+again\b`,
  ],
  [
    'complaint',
    -2.5,
    String.raw`\bwould\s+have\s+been\s+(?:nice|great|good|helpful|polite|better)\b|\b(?:neither|never|none\s+of\s+(?:it|that|this))\s+happened\b|\bno\s+longer\b|\b(?:past|behind)\s+(?:the\s+)?(?:scheduled|schedule|departure\s+time|due\s+date)\b|\bover\s*booked\b`,
  ],
  // "... NOT!" takes back the praise before it, so it weighs as much as that praise and a complaint together.
  ['sarcasm', -5, String.raw`\.{2,}\s*not\s*[!.]`],
  ['sarcasm', -3, String.raw`\b(?:if|as\s+if)\s+you\s+(?:care|cared|actually\s+cared|even\s+care)\b`],
  [
    'frustration',
    -2.5,
    String.raw`\b(?:want|need|demand|ask)\s+to\s+(?:speak|talk)\s+(?:to|with)\s+(?:an?\s+)?(?:human|real\s+person|manager|supervisor|someone\s+who)\b`,
  ],
  [
    'repeat',
    -2,
    String.raw`\b(call|calls|email|emails|letter|letters|day|days|week|weeks|hour|hours|month|months|attempt|attempts|flight|flights)\s+after\s+\1\b|\b(?:called|emailed|tried|asked|contacted|complained|written|wrote|messaged)\s+(?:you\s+|them\s+|again\s+)?twice\b|\b(?:been\s+)?trying\s+(?:since|for)\b`,
  ],
  // Contact that went unanswered: the support channel itself failed.
  [
    'complaint',
    -2.5,
    String.raw`\b(?:don't|dont|doesn't|doesnt|didn't|didnt|won't|wont|never|nobody|no\s+one)\s+(?:even\s+)?(?:answer(?:s|ed)?|respond(?:s|ed)?|reply|replied|replies|pick(?:s|ed)?\s+up|call(?:s|ed)?\s+(?:me\s+|us\s+)?back|care[sd]?|get\s+back)\b|\b(?:haven't|havent|hasn't|hasnt|never|didn't|didnt)\s+(?:received|heard\s+back|gotten|got)\b`,
  ],
  [
    'waiting',
    -2.5,
    String.raw`\b(?:${NUM}\s*\+?\s*${SPAN}|${NUM}\s*-\s*(?:minute|hour)s?)\s+(?:of\s+)?(?:hold|wait|waiting|queue)(?:\s+times?)?\b|\b(?:hold|wait)\s+times?\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\b(?:takes?|took|sends?|sent|kicks?|kicked|brings?|brought)\s+(?:me|us)\s+back\s+to\b|\berror(?:ed|s)?\s+out\b|\b(?:can't|cant|cannot|couldn't|not)\s+even\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\bno\s+(?:assistance|support|service|phone|contact|way\s+to|option|options|choice|help\s+at|one\s+(?:at|to)|clue)\b|\b(?:needs?|need\s+an?)\s+(?:an?\s+)?(?:entire\s+|complete\s+|serious\s+|major\s+)?(?:overhaul|revision|rethink)\b`,
  ],
  [
    'sarcasm',
    -3,
    String.raw`#(?:sarcasm|not\b|thanksfornothing|notimpressed|epicfail|getittogether|fail\w*|\w*(?:unacceptable|ridiculous|frustrat|angry|annoy|stuck|stranded|delay|cancel|lost|broken|nothanks|neveragain))`,
  ],
  [
    'complaint',
    -3,
    String.raw`\bcharged\s+(?:me\s+)?(?:twice|double|two\s+times|again|\d+\s+times)\b|\b(?:double[\s-]charged|overcharged)\b`,
  ],
  [
    'complaint',
    -3,
    String.raw`\bmissed\s+(?:my\s+|our\s+|the\s+)?(?:connection|connecting\s+flight|flight|meeting|appointment|deadline)\b`,
  ],
  [
    'complaint',
    -3,
    String.raw`\b(?:never|won't|wont|will\s+not)\s+(?:fly(?:ing)?|use|using|buy|recommend|book)\s+(?:with\s+)?(?:you|again|this)\b`,
  ],
  [
    'complaint',
    -3,
    String.raw`\b(?:left|leave|leaving|took\s+off|departed)\s+without\s+(?:me|us|my|our)\b|\b(?:gave|given|giving)\s+(?:my|our)\s+(?:\w+\s+)?away\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\b(?:pushed|moved)\s+(?:back|out)\b|\b(?:didn't|did\s+not|never)\s+(?:bother|tell|inform|notify|explain|apologi[sz]e|care|call|show)\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\bno\s+(?:legroom|ac|a\/c|air\s+conditioning|heat|food|water|snacks|drinks|blankets|seats?|agents?|staff|crew|gate\s+agent|announcements?|notification|confirmation|receipt|boarding\s+pass|record\s+of)\b`,
  ],
  [
    'complaint',
    -2.5,
    String.raw`\b(?:hung\s+up|hangs\s+up|hanging\s+up|disconnected|dropped\s+(?:the\s+|my\s+)?call|overbooked|stranded|bumped|downgraded|diverted)\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\b(?:cancell?(?:ed|ing|ations?)|delay(?:ed|s)?|lost|missing|misplaced|damaged|stolen|stuck)\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\b(?:complain(?:t|ts|ed|ing)?|escalate|escalating|compensation|compensate|reimburse(?:ment)?|chargeback|dispute|cancel\s+my\s+(?:account|subscription|contract|membership|service))\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\bwithout\s+(?:any\s+)?(?:notice|warning|telling|notifying|asking|explanation|fixing|resolving|solving|helping|help|an?\s+(?:answer|response|reply|explanation|apology))\b|\b(?:nothing|not\s+much)\s+(?:she|he|they|you|we|i|anyone)\s+can\s+do\b|\bdidn't\s+make\s+it\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\b${CANT}\s+(?:change|cancel|find|use|get|download|update|reset|receive|see|view|upload|submit|add|select|complete|redeem|apply|hear|figure|respond|answer|tell|locate|track|help|explain)\b`,
  ],
  [
    'complaint',
    -2,
    String.raw`\b(?:isn't|isnt|is\s+not|hasn't|hasnt|has\s+not|still\s+not)\s+(?:here|arrived|delivered|shown\s+up|come|been\s+(?:delivered|refunded|fixed|resolved))\b`,
  ],
  ['complaint', -1.5, String.raw`\b(?:supposed\s+to|was\s+told|were\s+told|been\s+told|promised|declined)\b`],
  ['complaint', -1.5, String.raw`\b(?:refund(?:s|ed)?|wrong|incorrect|late|rebooked)\b`],
  ['complaint', -1, String.raw`\b(?:fee|fees|surcharge)\b`],
  ['complaint', -0.75, String.raw`\bcustomer\s+(?:service|support|care)\b`],
  // Frustration markers.
  [
    'frustration',
    -3,
    String.raw`\bwhat\s+(?:a|the)\s+(?:joke|mess|hell|heck)\b|\b(?:is|was|such)\s+a\s+joke\b|\b(?:waste|wasted|wasting)\s+(?:of\s+)?(?:my\s+|our\s+)?(?:time|money|day|hours?)\b`,
  ],
  [
    'frustration',
    -3,
    String.raw`\b(?:fed\s+up|sick\s+(?:and\s+tired\s+)?of|tired\s+of|had\s+enough|enough\s+is\s+enough|lost\s+(?:my\s+|all\s+)?patience)\b`,
  ],
  [
    'frustration',
    -2.5,
    String.raw`\bare\s+you\s+(?:kidding|serious|joking)\b|#\w*(?:fail|sucks|worst|neveragain|disappoint)`,
  ],
  [
    'frustration',
    -2,
    String.raw`\b(?:need|needs)\s+to\s+(?:work\s+on|improve|get\s+(?:it|your\s+act|their\s+act)\s+together|do\s+better|step\s+up)\b|\bdo\s+better\b`,
  ],
  [
    'frustration',
    -2,
    String.raw`\b(?:ugh+|smh|ffs|wth|argh+|grr+)\b|\b(?:seriously|really|come\s+on)\s*[?!]|\bso\s+much\s+for\b|\bhow\s+(?:hard|difficult)\s+(?:is|can)\s+it\b|\bno\s+excuse\b|\bexcuses\b`,
  ],
  [
    'frustration',
    -1.5,
    String.raw`\b(?:as\s+usual|typical|what(?:'s|\s+is)\s+going\s+on|what\s+happened|fix\s+(?:this|it|your|the\s+problem))\b|\?[?!]+|![?]`,
  ],
  [
    'frustration',
    -0.75,
    String.raw`\bwhy\s+(?:is|are|does|do|did|can't|cant|won't|wont|isn't|isnt|hasn't|hasnt|haven't|havent|would|should)\b`,
  ],
  ['emoji', -2, String.raw`(?:>?:-?\(|:'\(|😡|😠|🤬|😤|😞|😒|🙁|☹|😢|😭|😩|😫|👎|🤦|💔|😑|🙄|😣|😖)`],
  ['emoji', 2, String.raw`(?::-?\)|:-?d\b|😀|😃|😄|😁|😊|🙂|😍|🥰|❤|💕|👍|🙌|👏|🎉|💯)`],
];

export const CUES: readonly Cue[] = table.map(([kind, weight, source]) => ({
  kind,
  weight,
  pattern: new RegExp(source, 'gu'),
}));
