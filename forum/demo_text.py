"""Fictional text for the demo consultation: the plan and the phrases demo comments are made from.

Every person, school and comment here is invented; the plan paraphrases the kind of school
safety proposal districts publish, so the demo reads like a real comment period.
"""

from __future__ import annotations

PLAN_TITLE = "Reimagine School Safety"
PLAN_SLUG = "reimagine-school-safety"
PROPOSAL = "Reduce the number of school resource officers and fund mental-health staff instead."
SUMMARY = (
    "The district proposes to reduce school resource officers from eight officers and a sergeant "
    "covering 75 schools to three officers based off campus, hire a school safety director, and "
    "add counselors, social workers and psychologists, for a net cost of $1.4 million a year."
)
PLAN_BODY = """\
The Board of Education asked staff for a school safety plan that keeps students safe and
supported. This draft is open for public comment until the date shown above. Comment on the
whole plan or on one numbered section.

## Background

Today eight school resource officers (SROs) and a sergeant from the city police department cover
75 schools. Officers are assigned to the comprehensive high schools and respond to other sites on
call. Over the last three years, most officer contacts at schools involved discipline matters
rather than crimes, and students of colour were referred to officers at higher rates than their
share of enrolment.

## School resource officers

The contract would be reduced to **three officers**, based at a district office rather than on
campus, responding to emergencies and to calls from site administrators. Officers would no longer
take part in routine school discipline.

## School safety director

A new district **school safety director** would lead emergency planning, drills, campus monitors
and the relationship with police and fire departments.

## Mental-health staff

The savings and new funds would add **counselors, social workers and school psychologists**, with
the goal of one mental-health professional for every 250 students at high-need schools, and a
wellness center at each comprehensive high school.

## Threat assessment and crisis response

Each school would have a trained threat-assessment team following the Comprehensive School Threat
Assessment Guidelines. A mobile crisis team would respond to mental-health emergencies, including
possible 5150 holds, with police called when there is an immediate danger.

## Training and restorative practices

Campus monitors, administrators and officers would train in de-escalation, implicit bias and
restorative practices, with annual refreshers.

## Budget

The plan costs **$1.4 million** a year more than the current contract, paid from the general
fund and state mental-health grants.

## Measuring results

Staff will report each semester on incidents, response times, referrals, suspensions and student
and staff survey results, broken down by school and student group.
"""

SCHOOLS = [
    ("American River High School", "high"),
    ("Cesar Chavez High School", "high"),
    ("Delta Vista High School", "high"),
    ("Hmong Heritage Academy", "k-8"),
    ("Lincoln Park Middle School", "middle"),
    ("Meadowview Middle School", "middle"),
    ("Oak Ridge Middle School", "middle"),
    ("Pacific Elementary School", "elementary"),
    ("Pocket Elementary School", "elementary"),
    ("Riverbend Elementary School", "elementary"),
    ("Sierra Vista Elementary School", "elementary"),
    ("Southgate Elementary School", "elementary"),
    ("Tahoe Park Elementary School", "elementary"),
    ("Valley Oak High School", "high"),
    ("Westside Continuation High School", "high"),
    ("Willow Creek K-8 School", "k-8"),
]

FIRST_NAMES = [
    "Maria", "James", "Linh", "Keisha", "Xee", "Tou", "Carlos", "Ana", "David", "Priya",
    "Rosa", "Michael", "Chue", "Fatima", "Daniel", "Grace", "Miguel", "Olga", "Tanya", "Kevin",
    "Yer", "Ahmed", "Laura", "Marcus", "Mai", "Sofia", "Brian", "Dmitri", "Jasmine", "Nathan",
    "Lupe", "Hannah", "Pa", "Andre", "Esperanza", "Tom", "Kim", "Vang", "Lisa", "Robert",
]  # fmt: skip
LAST_INITIALS = "ABCDGHKLMNPRSTVWXY"

OPENERS = {
    "parent": [
        "As a parent of two kids in the district,",
        "I am the mother of a ninth grader,",
        "As a father of a middle schooler,",
        "My daughter is in fourth grade and",
        "As a parent and a PTA volunteer,",
        "I have three children in district schools and",
        "As the guardian of my grandson,",
    ],
    "student": [
        "I'm a junior and",
        "As a student at a comprehensive high school,",
        "I'm in 10th grade and",
        "As a senior who has been in this district since kindergarten,",
        "I'm a student member of our site council and",
    ],
    "teacher": [
        "I have taught high school English for fourteen years and",
        "As a middle school science teacher,",
        "I teach special education and",
        "As a teacher at a continuation school,",
        "I've taught in this district for twenty years and",
    ],
    "school_staff": [
        "I work as a campus monitor and",
        "As a school nurse,",
        "I'm an attendance clerk at a high school and",
        "As a school counselor,",
        "I work in the front office of an elementary school and",
    ],
    "administrator": [
        "As a high school principal,",
        "I'm an assistant principal responsible for discipline and",
        "As an elementary principal,",
    ],
    "community": [
        "As a neighbor of one of the high schools,",
        "I'm a retired social worker and",
        "As a local pastor who works with youth,",
        "I'm a taxpayer without kids in the schools, but",
        "As a youth sports coach,",
    ],
    "other": [
        "As someone who cares about our schools,",
        "I work for a youth nonprofit and",
    ],
}

# Sentences by theme and position. Each says something a real commenter might, in plain words.
ARGUMENTS = {
    "safety_response": {
        "support": [
            "officers based nearby can still respond to a real emergency within minutes.",
            "a safety director who plans drills and coordinates with police will do more for safety than an officer standing in a hallway.",
            "real emergencies are rare, and three officers on call can cover them.",
        ],
        "oppose": [
            "response time matters when something goes wrong, and officers based off campus will take longer to arrive.",
            "three officers for 75 schools is not enough coverage if two incidents happen at once.",
            "when there was a fight outside our school last year the officer on campus was there in seconds.",
            "an officer on campus deters weapons and outsiders in a way a counselor cannot.",
        ],
        "mixed": [
            "I can accept fewer officers, but the plan needs a guaranteed response time for every school.",
            "keep an officer at the largest high schools while the new approach is tested elsewhere.",
        ],
    },
    "mental_health": {
        "support": [
            "our students need counselors and social workers far more than they need police.",
            "most of the crises I see are mental-health crises, and a counselor is the right person to respond.",
            "one counselor for 600 students is impossible; adding mental-health staff is long overdue.",
            "a wellness center would give kids somewhere to go before things escalate.",
        ],
        "oppose": [
            "mental-health staff are important, but they should be added without cutting officers.",
            "counselors cannot stop someone who comes on campus to hurt people.",
        ],
        "mixed": [
            "I support hiring more counselors, but I am not convinced we need to cut officers to pay for it.",
            "adding psychologists is good, but the district already struggles to fill those positions.",
        ],
    },
    "equity": {
        "support": [
            "Black and Latino students are referred to officers far more often, and that has to stop.",
            "the district's own data shows students of colour are disproportionately cited and arrested at school.",
            "students with disabilities are too often handled as discipline problems by officers.",
            "every student deserves to feel safe, and many of our students do not feel safe around police.",
        ],
        "oppose": [
            "the answer to bias is better training and accountability, not removing officers.",
            "families in our neighborhood want officers nearby because of violence in the community.",
        ],
        "mixed": [
            "the disparities are real, but the plan should show how it will measure whether they improve.",
        ],
    },
    "cost": {
        "support": [
            "$1.4 million spent on counselors is a better investment than the police contract.",
            "the money is better spent on prevention than on reacting after something happens.",
        ],
        "oppose": [
            "the plan costs $1.4 million more while class sizes are already too large.",
            "state grants will run out and the district will be left paying the full cost.",
            "I do not see how adding a director and staff saves money when the budget is already tight.",
        ],
        "mixed": [
            "the budget section needs more detail on what happens when the grants end.",
        ],
    },
    "training": {
        "support": [
            "de-escalation and restorative practices training for everyone on campus is exactly right.",
            "training campus monitors in restorative practices will keep more kids in class.",
        ],
        "oppose": [
            "training is not a substitute for trained officers who handle dangerous situations every day.",
            "restorative practices have not worked at my school without real consequences behind them.",
        ],
        "mixed": [
            "the training plan is good, but it needs to be funded every year, not just once.",
        ],
    },
    "trust": {
        "support": [
            "many students, especially undocumented students, are afraid when police are on campus.",
            "my son was handcuffed at school for something a counselor could have handled, and he has never trusted school since.",
            "students will talk to a counselor they trust long before they would talk to an officer.",
        ],
        "oppose": [
            "our SRO knows the students by name and has built trust with them over years.",
            "the officer at our school mentors kids and coaches basketball; that relationship matters.",
            "students tell our officer about threats because they trust him.",
        ],
        "mixed": [
            "some students trust our officer and some are afraid of him; both experiences are real.",
        ],
    },
    "threat_assessment": {
        "support": [
            "trained threat-assessment teams catch warning signs before anyone is hurt, which is what prevents violence.",
            "a mobile crisis team is the right response to a student in a mental-health crisis, not handcuffs.",
        ],
        "oppose": [
            "during a 5150 crisis staff need an officer right away, and the mobile crisis team can take hours.",
            "threat assessment teams still need an officer when a student has a weapon.",
            "when a student made a threat at our school, the officer was the one who found out whether there was a weapon at home.",
        ],
        "mixed": [
            "threat assessment is a good idea, but the plan does not say who responds at night or on weekends.",
        ],
    },
}

# Personal details that make each demo comment read like one person's, not a template.
DETAILS = [
    "We moved here in 2019.",
    "I have been going to board meetings for three years.",
    "My kids ride the bus, so I see the campus every morning.",
    "I grew up in this district myself.",
    "Our family speaks Hmong at home.",
    "I volunteer in the library twice a week.",
    "Two of my children have IEPs.",
    "I coach the robotics team after school.",
    "My oldest graduated last year.",
    "I read the whole plan twice before writing this.",
    "I watched the last board meeting online.",
    "We live two blocks from the high school.",
]

CLOSERS = {
    "support": [
        "Please approve this plan.",
        "I urge the board to vote yes.",
        "This is the right direction for our students.",
        "Thank you for listening to students and families.",
        "",
    ],
    "oppose": [
        "Please vote no on this plan.",
        "Keep our officers in our schools.",
        "I urge the board to reject these cuts.",
        "Our kids' safety should come first.",
        "",
    ],
    "mixed": [
        "I hope the board will amend the plan before voting.",
        "Please consider a phased approach.",
        "",
    ],
    "neutral": [
        "I would like to see more data before the vote.",
        "Please post the answers to these questions before the meeting.",
        "",
    ],
}

NEUTRAL_QUESTIONS = [
    "How will response times be measured and reported for each school?",
    "Will the safety director report to the superintendent or to the police department?",
    "How many counselors will each high school actually get under this plan?",
    "What happens to the current officers' duties at football games and large events?",
    "Has the district looked at how other districts that made this change are doing?",
    "Will the survey results be broken down by school so families can compare?",
    "When will the mobile crisis team be available, and who staffs it?",
]

SPANISH_COMMENTS = [
    (
        "support",
        "Como madre de familia, apoyo este plan. Nuestros hijos necesitan más consejeros y trabajadores sociales, no más policías en la escuela.",
    ),
    (
        "support",
        "Mi hijo tiene miedo cuando ve a la policía en la escuela. Prefiero que el dinero se use para salud mental.",
    ),
    (
        "oppose",
        "No estoy de acuerdo con quitar a los oficiales. En nuestro barrio hay violencia y los niños necesitan protección.",
    ),
    (
        "oppose",
        "Los oficiales conocen a los estudiantes. Si los sacan de la escuela, ¿quién va a responder en una emergencia?",
    ),
    (
        "mixed",
        "Estoy a favor de más consejeros, pero me preocupa el tiempo de respuesta si los oficiales están lejos de la escuela.",
    ),
    (
        "support",
        "Los estudiantes latinos son castigados más que otros. Este plan es un buen paso para la equidad.",
    ),
    (
        "neutral",
        "¿Habrá información del plan en español para las familias? Muchos padres no pudieron leer el documento.",
    ),
    (
        "oppose",
        "El plan cuesta 1.4 millones de dólares más. Ese dinero debería usarse para reducir el tamaño de las clases.",
    ),
]

CAMPAIGN_TEMPLATE = (
    "Dear Board Members,\n\n"
    "I am writing to urge you to keep School Resource Officers in our schools. Our officers "
    "keep students safe, respond in seconds when there is an emergency, and build trust with "
    "students every day. Cutting officers from eight to three will leave 75 schools without "
    "protection. Please vote NO on the Reimagine School Safety plan and keep our SROs on campus.\n\n"
    "Sincerely,\n{name}"
)
CAMPAIGN_ADDITIONS = [
    "",
    "",
    "",
    "My children attend Valley Oak High School.",
    "I have lived in this district for 30 years.",
    "Our family feels safer knowing an officer is on campus.",
]

REPLIES = {
    "support": [
        "Thank you for sharing this. My experience has been the same.",
        "I agree. Our school has one counselor for the whole campus and it is not enough.",
        "Well said. Students should be part of this decision.",
    ],
    "oppose": [
        "I respectfully disagree. Our officer has helped many students at our school.",
        "I understand the concern, but response time is what worries me most.",
        "The numbers in the plan do not show how three officers can cover every school.",
    ],
    "neutral": [
        "Does anyone know whether the board will hold another listening session?",
        "Where can we find the data the plan mentions about referrals?",
    ],
}
