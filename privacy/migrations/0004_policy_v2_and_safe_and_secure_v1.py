"""Version 2 of the privacy policy and version 1 of "Safe and secure ordering".

Version 1 (migration 0002) stays in the archive, so the page of changes between the
two is a real comparison. The {{ … }} placeholders are filled from the settings each
time a page is shown, so the published contact details never go stale.
"""

import datetime

from django.db import migrations
from django.utils import timezone

EFFECTIVE = datetime.date(2026, 11, 29)

PRIVACY_SUMMARY = """Rewritten in full so that every promise is spelled out: what we count about \
visitors, what partners receive, when we ask for personal details, e-mail choices and \
the "remove" e-mail, the optional profile questions, when anything is passed to \
someone outside the company and how you can see it, co-branded pages, the companies \
that work for us (now listed on this page), resumes, assessment results, payments, \
cookies and your cookie choices, feedback and success stories, children, changes to \
this policy, and how to reach us."""

PRIVACY_BODY = """# Privacy policy

CareerPerfect writes resumes and cover letters, and sells career-planning software
with online career assessments. Doing that means holding some information about you.
This policy explains, in plain words, what we hold, why we hold it, who else ever
sees it, and what you can change. Each promise below is built into the site itself
and checked by automated tests every time the site is changed.

## 1. Visitors: counts, never people

When you browse the site we count, per day, how many pages were viewed in each part
of the site (for example the shop or the help pages) and how often each service
was used (for example a finished sign-up or a saved questionnaire). A count is all
we keep. We do not store your name, account, internet address, browser details,
cookies or any other identifier with it, so the figures cannot be traced back to you
or to anyone else.

## 2. Partners see totals only

Some companies we work with, such as job sites that offer our services on their own
pages, receive reports of those counts by week. A partner never receives figures about
a single visitor, and any figure so small that it might point to a few people is left
out of the report altogether. Each report we hand over is recorded.

## 3. When we ask for your details

We ask for personal details only when you create an account, enter a contest or buy
something, and each form says why it asks for each piece. We ask what kind of
computer you use only when you buy software, so that we can give you the right
download.

## 4. E-mail from us only if you say yes

Besides the messages your account and orders need (receipts, drafts from your writer,
password resets), we send two kinds of e-mail, each only if you ticked its box:

- offers about our products and services;
- news when the site or this policy changes.

The boxes always start unticked. Whether we may send you one of these e-mails is
checked again at the moment it is sent, so a change of mind takes effect at once.

## 5. Stopping our e-mails

You can stop both kinds at any time, without signing in: send an e-mail to
{{ contact_email }} with the word "remove" in the subject line. Within about a
minute we stop sending them to the address you wrote from and to any account that
uses that address, and we reply once to confirm. You can also untick the boxes on
your *My privacy* page or use the unsubscribe link in any such e-mail.

## 6. Questions about you are optional

We may ask about your interests, what you like or dislike about the site and the
kinds of job you are looking for, to improve what we offer. Answering is always
optional, and you can change or delete your answers whenever you like.

## 7. Who else ever sees your information

We do not sell, rent or pass on information about you to anyone outside CareerPerfect,
except in these cases:

- you have told us to, for example to send your resume to an employer you named;
- the law requires it, for example a court order;
- it is needed to protect you, other users, the public or CareerPerfect, for example
  against fraud;
- you entered it on a partner's co-branded page (see section 8).

Every such disclosure is written into a log: who received what, why, and when. You
can see the entries about you on your *My privacy* page. The one exception is when a
legal order forbids us to tell you; the entry is still kept.

## 8. Co-branded pages

Some of our pages carry a partner's name and colours next to ours. What you enter on
those pages belongs to both CareerPerfect and that partner, and the partner's own
privacy policy applies to its copy. Such pages always name the partner and link to its
policy before you send anything. A partner receives only what was entered on its own
pages.

## 9. Companies that work for us

We use other companies to host the site, take payments, deliver e-mail and help with
customer service. They handle your information only to do that work for us, on our
instructions, and may not use it for anything of their own. The list at the end of
this page names each of them, what it does and what information it handles.

## 10. Your resume is private

Your resume, your questionnaire answers and the files you upload are seen only by
you, the writer assigned to your order and the few staff members whose job requires
it. Each time a staff member opens them, it is logged. Your files are never on a
public web address. We send your resume to someone else only if you allow it and name
that recipient, and you can withdraw that permission at any time.

## 11. Your assessment results are private

Only you see your career assessment results. If an outside company scores an
assessment for us, it receives your answers and a random code, never your name, your
e-mail address or anything else that identifies you. Your results are never part of
any report or export, except the copy of your own data you ask us for.

## 12. Paying by card

When you pay, you type your card number on our payment provider's secure page. The
card number never reaches our servers and we never store it. We keep only what we
need for our accounts: the payment reference, the card brand, its last four digits,
the amount and whether the payment went through.

## 13. Cookies, and your choice

A cookie is a small file a site leaves in your browser. Our cookies page lists every
cookie we set, what it is for and how long it lasts. Some are necessary: without them
you could not sign in or send a form safely. Any other cookie, such as one that
remembers your e-mail address on the sign-in form, is set only if you accept it, and
you can change your choice at any time on the cookies page. The site works fully if
you refuse them.

## 14. Feedback and success stories

If you send us feedback, it becomes ours and we may use it, for example in our
advertising, without naming you. We publish your words as a success story on our site
only if you ask for that separately, under the name you choose, and after we have
reviewed it. You can withdraw that permission at any time and the story comes down at
once.

## 15. Children

CareerPerfect is not for children. Our sign-up, contest and checkout forms ask you to
confirm that you are at least {{ minimum_age }} years old. If you are younger, we keep
nothing of what you typed and the form tells you why.

## 16. Your rights

On your *My privacy* page you can see and change your e-mail choices, see the full
history of those choices and every recorded disclosure of your information, download
a copy of your data, and delete your account. When you delete your account we erase
your personal information; we keep your orders, without your name, because the law
requires accounts to be kept, and we keep a scrambled form of your address that only
serves to make sure a "remove" request stays in force.

## 17. Changes to this policy

When we change this policy we publish the new version here with the date it takes
effect and a summary of what changed. Every earlier version stays available, with a
page that shows exactly what changed between one version and the next. If you asked
for news about changes to the site, we also e-mail you. Each choice you make about our
e-mails is recorded together with the version of this policy in force at that moment.

## 18. Contact us

Questions, requests or complaints about your privacy: e-mail {{ contact_email }} or
call {{ contact_phone }}. We answer every message.
"""

SAFE_SUMMARY = "First version."

SAFE_BODY = """# Safe and secure ordering

Buying from CareerPerfect should be as safe as buying in a shop you know. Here is how
we protect you when you order.

## Your card number stays with the payment provider

When you pay, you are taken to the secure payment page of our payment provider and
type your card details there, not on our site. Your card number never passes through
our servers and is never stored by us. We receive only a payment reference, the card
brand, its last four digits, the amount and whether the payment succeeded, which is
what we need for receipts and refunds.

## Everything you send is encrypted

Every page of the site is served over an encrypted connection (the padlock in your
browser's address bar). Anything you type, your password and your resume included,
travels encrypted between your browser and us.

## Your account is protected

Passwords are stored only in a scrambled form that cannot be turned back into the
password, and repeated wrong guesses are slowed down. Each of our staff roles can see
only what its work needs.

## Your files are private

Resumes and other files you upload are never on a public web address. They are
delivered only to you, your writer and staff who need them, and each time a staff
member opens one, it is logged.

## If something goes wrong

If a charge looks wrong, or you think someone used your account, contact us at once:
e-mail {{ contact_email }} or call {{ contact_phone }}. We will look into it, and
refund any charge you did not make.
"""


def publish(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    now = timezone.now()
    for document, version, summary, body in (
        ("privacy-policy", 2, PRIVACY_SUMMARY, PRIVACY_BODY),
        ("safe-and-secure", 1, SAFE_SUMMARY, SAFE_BODY),
    ):
        PolicyVersion.objects.get_or_create(
            document=document,
            version=version,
            defaults={
                "effective_date": EFFECTIVE,
                "summary": summary,
                "body": body,
                "published_at": now,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_providers_analytics_publishing")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
