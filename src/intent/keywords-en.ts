import { type PhraseTable, phrases } from './phrase-table.ts';

/**
 * English phrases, matched on whole words, case-insensitively, after spelling.ts has folded typos and
 * "roll back" into "rollback". A space matches any run of spaces or hyphens ("rollback-ready").
 */
export const englishPhrases: PhraseTable = {
  candidates: phrases(`
    list the versions
    the versions it can
    versions can i
    what can i rollback
    what can we rollback
    rollback targets
    rollback target
    rollback candidates
    rollback candidate
    rollback options
    candidates
    which versions
    which version can
    what versions
    which commits
    what commits
    available versions
    versions available
    list versions
    what can i rollback to
  `),
  diagnose: phrases(`
    diagnose
    diagnosis
    diagnostic
    diagnostics
    can i rollback
    can we rollback
    can it rollback
    can it be rolled back
    be rolled back
    able to rollback
    can't rollback
    cant rollback
    cannot rollback
    can not rollback
    unable to rollback
    why can't
    why cant
    why cannot
    why can not
    why doesn't
    why doesnt
    why does not
    why won't
    why wont
    why is rollback
    rollback ready
    ready to rollback
    ready for rollback
    ready for a rollback
    rollback readiness
    rollback possible
    possible to rollback
    check rollback
    rollback check
    rollback failing
  `),
  audit: phrases(`
    who
    audit
    audit log
    audit trail
    when did
  `),
  status: phrases(`
    what's running
    whats running
    what is running
    running now
    running right now
    currently running
    what's deployed
    what is deployed
    still deploying
    still rolling back
    rolling back
    status
    progress
    how is
    how's
    hows
    how are
    how did
    how'd
    how was
    going
    doing
    done
    finished
    finish
    completed
    still running
    deployed yet
    did it work
    did it succeed
    did it fail
  `),
  history: phrases(`
    history
    histories
    recent deployments
    recent deploys
    past deployments
    past deploys
    previous deployments
    previous deploys
    last deployments
    list deployments
    show deployments
    deploy log
    deploy logs
    what was deployed
    last deployed
  `),
  help: phrases(`
    how do i
    how to
    how can i use
    what can this bot do
    what can the bot do
    what can it do
    help
    usage
    how do i use
    how to use
    how do you use
    what can you do
    what do you do
    commands
    command list
    what is
    what's a
    what are
    what does
    explain
    how does
  `),
  unlock: phrases(`
    unlock
    unfreeze
    unblock
    lift the lock
    remove the lock
    release the lock
  `),
  lock: phrases(`
    lock
    freeze
    block deploys
    block deployments
    hold deploys
    hold deployments
    pause deploys
    pause deployments
  `),
  cancel: phrases(`
    cancel
    abort
    stop
    halt
  `),
  rollback: phrases(`
    rollback
    rollbacks
    revert
    undo
    go back
    restore
  `),
  deploy: phrases(`
    deploy
    deploying
    redeploy
    ship
  `),
  helpWeak: phrases(`
    help me
  `),
  negation: phrases(`
    don't
    dont
    do not
    never mind
    nevermind
    never
    no need
    not now
    hold off
    forget it
    shouldn't
    should not
  `),
};

/** Words between two commands that make them two commands ("rollback a and deploy b"). */
export const englishConjunctions = phrases(`
  and
  then
  also
  plus
  afterwards
  after that
`);

/**
 * Words that fill English sentences around names. Together with every word of the phrase tables they are
 * never read as a repo or ref name ("rollback the payments service" names payments, not "the").
 */
export const englishFillers = phrases(`
  the a an to of for on in at into onto from with by as about
  my our your their its it this that these those there here
  please pls plz kindly thanks thank ok okay hey hi yo bot
  can could would will you me i we us let lets let's
  is are was were be been being do does did how what which why when where who
  now just right quickly asap again yet already still also
  last latest previous prior before after back ago earlier current
  version versions step steps deployment deployments deploys release releases revision revisions
  commit commits sha hash branch tag ref repo repository app application service svc project
  and then plus or but so if not no
  show list tell give get see check look find run
  one two three four five six seven eight nine ten zero
  head steps_back stepsback good working broken
  force forced forcing minutes minute mins hours hour hrs days day because due reason
`).flatMap((line) => line.split(/\s+/));
