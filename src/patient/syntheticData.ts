/**
 * Tables behind the synthetic population. faker's en_GB locale has British places and street
 * suffixes but no British names (it falls back to American lists), and its postcodes often break the
 * Royal Mail rules; a trace benchmark needs the real shape of UK names — many Smiths, Joneses and Patels,
 * Soundex neighbours such as Smyth and Thomson, double-barrelled and apostrophe names — so the common
 * names and the towns are listed here with rough weights (after ONS surname and first-name frequencies,
 * rounded), and faker supplies the long tail. Phone numbers use Ofcom's ranges for drama (never
 * allocated) and emails example.com, so no synthetic record can reach a real person.
 */

/** [name, relative weight]. */
export type Weighted = readonly [string, number]

/** Surnames with their frequency per 10,000 people in England and Wales (rounded; together about 19%). */
export const SURNAMES: readonly Weighted[] = [
  ['Smith', 126], ['Jones', 98], ['Williams', 66], ['Taylor', 56], ['Brown', 55], ['Davies', 50], ['Evans', 38],
  ['Wilson', 35], ['Thomas', 33], ['Johnson', 32], ['Roberts', 32], ['Robinson', 28], ['Thompson', 28], ['Wright', 27],
  ['Walker', 26], ['White', 25], ['Edwards', 24], ['Hughes', 24], ['Green', 23], ['Hall', 23], ['Lewis', 22],
  ['Harris', 22], ['Clarke', 21], ['Patel', 21], ['Jackson', 20], ['Wood', 20], ['Turner', 19], ['Martin', 19],
  ['Cooper', 19], ['Hill', 18], ['Ward', 18], ['Morris', 18], ['Moore', 17], ['Clark', 17], ['Lee', 17], ['King', 17],
  ['Baker', 17], ['Harrison', 16], ['Morgan', 16], ['Allen', 16], ['James', 16], ['Scott', 15], ['Phillips', 15],
  ['Watson', 15], ['Davis', 15], ['Parker', 14], ['Price', 14], ['Bennett', 14], ['Young', 14], ['Griffiths', 14],
  ['Mitchell', 14], ['Kelly', 13], ['Cook', 13], ['Carter', 13], ['Richardson', 13], ['Bailey', 13], ['Collins', 13],
  ['Bell', 12], ['Shaw', 12], ['Murphy', 12], ['Miller', 12], ['Cox', 12], ['Richards', 12], ['Khan', 12],
  ['Marshall', 11], ['Anderson', 11], ['Simpson', 11], ['Ellis', 11], ['Adams', 11], ['Singh', 11], ['Begum', 11],
  ['Wilkinson', 10], ['Foster', 10], ['Chapman', 10], ['Powell', 10], ['Webb', 10], ['Rogers', 10], ['Gray', 10],
  ['Mason', 10], ['Ali', 10], ['Hunt', 9], ['Hussain', 9], ['Campbell', 9], ['Matthews', 9], ['Owen', 9],
  ['Palmer', 9], ['Holmes', 9], ['Mills', 9], ['Barnes', 9], ['Knight', 9], ['Lloyd', 9], ['Butler', 8],
  ['Russell', 8], ['Barker', 8], ['Fisher', 8], ['Stevens', 8], ['Jenkins', 8], ['Murray', 8], ['Dixon', 8],
  ['Harvey', 8], ['Ahmed', 6], ['Kaur', 5], ['Reid', 4], ['Reed', 4], ['Rahman', 4], ["O'Brien", 4],
  ['Thomson', 3], ["O'Connor", 3], ['MacDonald', 3], ['McDonald', 3], ['Smyth', 2], ['Read', 2], ['Philips', 2],
  ['Nowak', 2], ['Chen', 2], ['Wong', 2], ['Smythe', 1], ['Kowalski', 1], ['Nguyen', 1], ['Okafor', 1],
  ['Fernandes', 1], ['Smith-Jones', 1], ['Lloyd-Davies', 1], ['Kociński', 1],
]

export const FEMALE_NAMES: readonly Weighted[] = [
  ['Mary', 8], ['Margaret', 7], ['Susan', 7], ['Sarah', 9], ['Elizabeth', 6], ['Patricia', 4], ['Emma', 8],
  ['Olivia', 8], ['Amelia', 7], ['Isla', 5], ['Ava', 5], ['Jessica', 6], ['Emily', 7], ['Sophie', 6], ['Charlotte', 6],
  ['Hannah', 6], ['Lucy', 6], ['Rebecca', 5], ['Laura', 6], ['Claire', 5], ['Helen', 5], ['Karen', 5], ['Julie', 5],
  ['Jennifer', 4], ['Nicola', 5], ['Joanne', 4], ['Rachel', 5], ['Lisa', 4], ['Michelle', 4], ['Amy', 5],
  ['Chloe', 5], ['Grace', 5], ['Lily', 5], ['Mia', 4], ['Ella', 4], ['Freya', 4], ['Poppy', 3], ['Evie', 3],
  ['Fatima', 3], ['Aisha', 3], ['Priya', 2], ['Zara', 2], ['Anne', 5], ['Ann', 3], ['Jean', 4], ['Joan', 3],
  ['Dorothy', 2], ['Catherine', 4], ['Katherine', 2], ['Alice', 4], ['Jane', 5], ['Janet', 3], ['Mary Anne', 1],
]

export const MALE_NAMES: readonly Weighted[] = [
  ['John', 10], ['David', 10], ['Michael', 8], ['Paul', 7], ['Andrew', 7], ['Mark', 6], ['James', 8], ['Robert', 6],
  ['Richard', 6], ['Peter', 6], ['Stephen', 5], ['Steven', 3], ['Christopher', 6], ['Daniel', 6], ['Thomas', 6],
  ['William', 6], ['George', 6], ['Oliver', 7], ['Harry', 6], ['Jack', 6], ['Noah', 5], ['Leo', 4], ['Arthur', 4],
  ['Muhammad', 5], ['Mohammed', 3], ['Oscar', 4], ['Charlie', 4], ['Jacob', 4], ['Alfie', 3], ['Samuel', 4],
  ['Joseph', 4], ['Matthew', 5], ['Benjamin', 4], ['Adam', 4], ['Ryan', 4], ['Luke', 4], ['Liam', 3], ['Kevin', 3],
  ['Gary', 3], ['Ian', 4], ['Brian', 3], ['Keith', 2], ['Alan', 3], ['Anthony', 3], ['Simon', 3], ['Martin', 3],
  ['Philip', 3], ['Graham', 2], ['Arjun', 2], ['Kwame', 1], ['Tomasz', 1], ['Rupert', 1], ['Bob', 1],
]

export interface Town {
  readonly town: string
  readonly county: string
  /** Real outward codes of the town. */
  readonly outward: readonly string[]
  /** Relative population. */
  readonly weight: number
}

export const TOWNS: readonly Town[] = [
  { town: 'London', county: 'Greater London', outward: ['SW1A', 'E1', 'N1', 'SE15', 'NW3', 'W2', 'EC1A', 'SW16', 'E17', 'N17'], weight: 90 },
  { town: 'Birmingham', county: 'West Midlands', outward: ['B1', 'B15', 'B29', 'B23'], weight: 11 },
  { town: 'Leeds', county: 'West Yorkshire', outward: ['LS1', 'LS6', 'LS11', 'LS17'], weight: 8 },
  { town: 'Manchester', county: 'Greater Manchester', outward: ['M1', 'M14', 'M20', 'M40'], weight: 6 },
  { town: 'Sheffield', county: 'South Yorkshire', outward: ['S1', 'S10', 'S8'], weight: 6 },
  { town: 'Liverpool', county: 'Merseyside', outward: ['L1', 'L8', 'L18'], weight: 5 },
  { town: 'Bristol', county: 'Avon', outward: ['BS1', 'BS8', 'BS16'], weight: 5 },
  { town: 'Bradford', county: 'West Yorkshire', outward: ['BD1', 'BD7'], weight: 5 },
  { town: 'Leicester', county: 'Leicestershire', outward: ['LE1', 'LE2', 'LE4'], weight: 4 },
  { town: 'Coventry', county: 'West Midlands', outward: ['CV1', 'CV5'], weight: 4 },
  { town: 'Cardiff', county: 'South Glamorgan', outward: ['CF10', 'CF24'], weight: 4 },
  { town: 'Nottingham', county: 'Nottinghamshire', outward: ['NG1', 'NG7'], weight: 3 },
  { town: 'Newcastle upon Tyne', county: 'Tyne and Wear', outward: ['NE1', 'NE6'], weight: 3 },
  { town: 'Hull', county: 'East Riding of Yorkshire', outward: ['HU1', 'HU5'], weight: 3 },
  { town: 'Stoke-on-Trent', county: 'Staffordshire', outward: ['ST1', 'ST4'], weight: 3 },
  { town: 'Southampton', county: 'Hampshire', outward: ['SO14', 'SO17'], weight: 3 },
  { town: 'Derby', county: 'Derbyshire', outward: ['DE1', 'DE22'], weight: 3 },
  { town: 'Plymouth', county: 'Devon', outward: ['PL1', 'PL4'], weight: 3 },
  { town: 'Reading', county: 'Berkshire', outward: ['RG1', 'RG30'], weight: 2 },
  { town: 'Brighton', county: 'East Sussex', outward: ['BN1', 'BN2'], weight: 2 },
  { town: 'Preston', county: 'Lancashire', outward: ['PR1', 'PR2'], weight: 2 },
  { town: 'Norwich', county: 'Norfolk', outward: ['NR1', 'NR2'], weight: 2 },
  { town: 'York', county: 'North Yorkshire', outward: ['YO1', 'YO10'], weight: 2 },
  { town: 'Cambridge', county: 'Cambridgeshire', outward: ['CB1', 'CB4'], weight: 2 },
  { town: 'Oxford', county: 'Oxfordshire', outward: ['OX1', 'OX4'], weight: 2 },
  { town: 'Exeter', county: 'Devon', outward: ['EX1', 'EX4'], weight: 2 },
  { town: 'Ipswich', county: 'Suffolk', outward: ['IP1', 'IP4'], weight: 2 },
  { town: 'Lincoln', county: 'Lincolnshire', outward: ['LN1', 'LN6'], weight: 1 },
  { town: 'Carlisle', county: 'Cumbria', outward: ['CA1', 'CA2'], weight: 1 },
  { town: 'Truro', county: 'Cornwall', outward: ['TR1'], weight: 1 },
]

/** Letters Royal Mail allows in the inward code. */
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'

export const STREET_NAMES: readonly string[] = [
  'High', 'Station', 'Church', 'Victoria', 'Park', 'Mill', 'School', 'Manor', 'Queens', 'Kings', 'Albert', 'Green',
  'Grange', 'Meadow', 'New', 'North', 'London', 'York', 'Chapel', 'West', 'Springfield', 'Windsor', 'Highfield',
  'Orchard', 'Alexandra', 'Stanley', 'Richmond', 'Broadway', 'Market', 'Mount Pleasant',
]
export const STREET_SUFFIXES: readonly string[] = ['Road', 'Street', 'Lane', 'Avenue', 'Close', 'Drive', 'Way', 'Gardens', 'Crescent', 'Terrace', 'Grove']

export const FEMALE_PREFIXES: readonly string[] = ['Mrs', 'Ms', 'Miss', 'Dr']
export const MALE_PREFIXES: readonly string[] = ['Mr', 'Mr', 'Mr', 'Dr']
/** First letters of ODS codes of GP practices (by NHS region; enough for realistic variety). */
export const ODS_LETTERS = 'ABCDEFGHJKLMNPY'
