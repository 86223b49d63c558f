"""Pages of the single-window flow, which read and write across the clearance apps
(ADR 0005: the orchestrator is the one app that may): the trader's and broker's
declarations (``lodging``, ``declaration``; URL namespace ``declarations``) and the
carrier's arrivals and releases (``carrier``; namespace ``clearance``). Their templates,
question-page forms and drafts belong to the declarations app."""
