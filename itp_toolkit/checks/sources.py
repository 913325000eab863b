"""Where each rule comes from: the standards surveyors and supervisors read plans against."""

CARF = "CARF Behavioral Health standards 2.C (person-centred plan)"
TJC = "The Joint Commission CTS.03.01.03 (individualized plan of care)"
CMS = "CMS 42 CFR 441.468 and 441.301(c) (person-centred service plan)"
PCCP = "PCCP-AM (Person-Centered Care Planning Assessment Measure)"
SMART = "SMART objectives (Doran 1981), as used in Jongsma PracticePlanners"
PHQ9 = "PHQ-9: Kroenke et al. 2001; response NQF 1885 (>=50% drop); remission CMS159 (<5); item 9 follow-up"
GAD7 = "GAD-7: Spitzer et al. 2006; cut-off 10; about 27% drop is clinically important"
PCL5 = "PCL-5: National Center for PTSD; 10 points clinically meaningful, 5 points reliable change"
AUDIT = "AUDIT: Babor et al. 2001 (WHO); zones I-IV, a target is usually one zone down"
MBC = "Measurement-based care (Fortney et al. 2017): repeated standardized measurement to guide treatment"
ACCESS = "Access barriers to mental-health care (SAMHSA TIP 59 / HHS Healthy People access domain)"
PHQ9_ITEM9 = (
    "PHQ-9 item 9 follow-up (Kroenke, Spitzer & Williams 2001); EPDS item 10 (Cox, Holden & Sagovsky 1987)"
)
STANLEY_BROWN = (
    "Stanley & Brown, Safety Planning Intervention (Cogn Behav Pract 2012), revised after each crisis; "
    "Stanley et al. 2018, JAMA Psychiatry 75:894-900 (safety planning with follow-up reduced suicidal "
    "behaviour)"
)
JOINT_COMMISSION_SUICIDE = (
    "The Joint Commission NPSG 15.01.01 (reduce the risk of suicide: safety planning, re-assessment)"
)
BZD_TAPER = (
    "Brunner E, et al. Joint Clinical Practice Guideline on Benzodiazepine Tapering: Considerations When "
    "Risks "
    "Outweigh Benefits. J Gen Intern Med 2025 (ASAM with AAFP, AAN, AAPA, AANP, AAPP, ACMT, ACOG, AGS, APA; "
    "doi:10.1007/s11606-025-09499-2): avoid abrupt discontinuation when physical dependence is likely; "
    "initial "
    "reductions of 5-10% every 2-4 weeks, typically not more than 25% every 2 weeks"
)
NO_HARM_CONTRACTS = (
    "Rudd, Mandrusiak & Joiner 2006, J Clin Psychol 62:243-251 (no-suicide contracts have no empirical "
    "support; "
    "a crisis response plan instead)"
)
NICE_ALCOHOL = (
    "NICE CG115 (2011), 1.3.1: assess for assisted withdrawal when a person drinks over 15 units a day or "
    "scores "
    "20 or more on the AUDIT"
)
TIME_TO_RESPONSE = (
    "Trivedi et al. 2006, Am J Psychiatry 163:28-40 (STAR*D level 1: more than half of responders needed 8 "
    "weeks "
    "or more); Howard et al. 1986, Am Psychol 41:159-164 (about half of patients improved by 8 sessions)"
)
SCORE_FLOORS = (
    "Instrument bands and remission lines (PHQ-9 remission < 5, CMS159; 0-4 'minimal' on PHQ-9 and GAD-7, "
    "Kroenke "
    "et al. 2001, Spitzer et al. 2006): the floor of a scale is not a treatment target"
)
GRADED_TASKS = (
    "Graded task assignment in behavioural activation (Martell, Dimidjian & Herman-Dunn 2010; Lejuez et al. "
    "2011, BATD-R) and graded exposure: behaviour is built up in steps from the baseline"
)
LETHAL_MEANS = (
    "Mann et al. 2005, JAMA 294:2064-2074 (restricting access to lethal means prevents suicide); Counseling "
    "on "
    "Access to Lethal Means (CALM), Suicide Prevention Resource Center"
)
MED_RECONCILIATION = (
    "The Joint Commission NPSG.03.06.01 (maintain and communicate accurate medication information: compare "
    "what the person actually takes with what the record says at every transition)"
)
