/**
 * Restricted picklist values the emulator accepts: a sensible subset of Salesforce's lists.
 * Values are matched exactly (case-sensitive), as the API names are.
 */

export const TIME_ZONES: readonly string[] = [
  'Pacific/Kiritimati', 'Pacific/Chatham', 'Pacific/Auckland', 'Pacific/Enderbury', 'Pacific/Fiji',
  'Pacific/Tongatapu', 'Asia/Kamchatka', 'Australia/Lord_Howe', 'Australia/Sydney', 'Australia/Brisbane',
  'Australia/Adelaide', 'Australia/Darwin', 'Australia/Perth', 'Asia/Seoul', 'Asia/Tokyo', 'Asia/Hong_Kong',
  'Asia/Kuala_Lumpur', 'Asia/Manila', 'Asia/Shanghai', 'Asia/Singapore', 'Asia/Taipei', 'Asia/Bangkok',
  'Asia/Jakarta', 'Asia/Ho_Chi_Minh', 'Asia/Yangon', 'Asia/Dhaka', 'Asia/Kathmandu', 'Asia/Colombo',
  'Asia/Kolkata', 'Asia/Karachi', 'Asia/Tashkent', 'Asia/Kabul', 'Asia/Dubai', 'Asia/Tbilisi', 'Asia/Tehran',
  'Africa/Nairobi', 'Asia/Baghdad', 'Asia/Kuwait', 'Asia/Riyadh', 'Europe/Istanbul', 'Europe/Moscow',
  'Africa/Cairo', 'Africa/Johannesburg', 'Asia/Jerusalem', 'Europe/Athens', 'Europe/Bucharest',
  'Europe/Helsinki', 'Europe/Amsterdam', 'Europe/Berlin', 'Europe/Brussels', 'Europe/Paris', 'Europe/Prague',
  'Europe/Rome', 'Europe/Madrid', 'Europe/Stockholm', 'Europe/Zurich', 'Africa/Algiers', 'Africa/Lagos',
  'Europe/Dublin', 'Europe/Lisbon', 'Europe/London', 'GMT', 'Atlantic/Cape_Verde', 'Atlantic/South_Georgia',
  'America/Sao_Paulo', 'America/Argentina/Buenos_Aires', 'America/Santiago', 'America/St_Johns',
  'America/Halifax', 'America/Puerto_Rico', 'Atlantic/Bermuda', 'America/Caracas', 'America/New_York',
  'America/Indiana/Indianapolis', 'America/Bogota', 'America/Lima', 'America/Panama', 'America/Chicago',
  'America/Mexico_City', 'America/El_Salvador', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles',
  'America/Tijuana', 'America/Anchorage', 'Pacific/Honolulu', 'Pacific/Niue', 'Pacific/Pago_Pago',
];

export const LOCALES: readonly string[] = [
  'en_US', 'en_GB', 'en_AU', 'en_CA', 'en_IE', 'en_IN', 'en_NZ', 'en_SG', 'en_ZA', 'de_DE', 'de_AT', 'de_CH',
  'fr_FR', 'fr_BE', 'fr_CA', 'fr_CH', 'es_ES', 'es_MX', 'es_US', 'it_IT', 'nl_NL', 'nl_BE', 'pt_BR', 'pt_PT',
  'ja_JP', 'ko_KR', 'zh_CN', 'zh_TW', 'zh_HK', 'sv_SE', 'da_DK', 'fi_FI', 'no_NO', 'pl_PL', 'ru_RU', 'tr_TR',
  'cs_CZ', 'hu_HU', 'ro_RO', 'th_TH', 'iw_IL', 'ar_AE', 'hi_IN', 'ms_MY', 'in_ID', 'vi_VN',
];

export const LANGUAGES: readonly string[] = [
  'en_US', 'en_GB', 'de', 'es', 'es_MX', 'fr', 'it', 'ja', 'ko', 'zh_CN', 'zh_TW', 'pt_BR', 'nl_NL', 'sv', 'da',
  'fi', 'no', 'ru', 'th', 'pl', 'cs', 'hu', 'tr', 'in', 'ro', 'vi', 'iw', 'ar',
];

export const EMAIL_ENCODINGS: readonly string[] = [
  'UTF-8', 'ISO-8859-1', 'Shift_JIS', 'ISO-2022-JP', 'EUC-JP', 'ks_c_5601-1987', 'Big5', 'GB2312', 'Big5-HKSCS',
  'x-SJIS_0213',
];
