-- Argo CD health check for weightlifter.io/Canary.
-- Healthy: settled (Initialized or Succeeded, Ready=True). Progressing: a run or initialisation is
-- under way, or the controller has not observed the latest generation yet (kstatus). Degraded:
-- Failed, or Stalled=True (target missing, invalid spec, primary never ready). Suspended: paused,
-- spec.suspend, or waiting for something outside the controller (a deployment window, a
-- confirm-rollout or confirm-promotion gate).
-- Written for Argo CD's Lua 5.1 runtime (gopher-lua): no integer division, goto or bit operators.
local hs = {}

local function condition(status, kind)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function describe(prefix, c)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return prefix .. ": " .. c.message
  end
  return prefix
end

local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the weightlifter controller to initialise the Canary"
  return hs
end

local generation = obj.metadata.generation
local observed = status.observedGeneration
local ready = condition(status, "Ready")
if observed == nil and ready ~= nil then
  observed = ready.observedGeneration
end
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller to observe generation " .. tostring(generation)
  return hs
end

local phase = status.phase
local stalled = condition(status, "Stalled")
if phase == "Failed" then
  hs.status = "Degraded"
  hs.message = describe("Canary failed", stalled or ready)
  return hs
end
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe("Canary stalled (" .. tostring(stalled.reason) .. ")", stalled)
  return hs
end

if (obj.spec ~= nil and obj.spec.suspend == true) or status.paused == true then
  hs.status = "Suspended"
  hs.message = describe("Canary " .. phase .. " (paused or suspended)", ready)
  return hs
end

local reason = ""
if ready ~= nil and ready.reason ~= nil then
  reason = ready.reason
end
if phase == "WaitingPromotion" or reason == "OutsideDeploymentWindow" or reason == "ConfirmRolloutPending" then
  hs.status = "Suspended"
  hs.message = describe("Canary " .. phase .. " (" .. reason .. ")", ready)
  return hs
end

if (phase == "Succeeded" or phase == "Initialized") and (ready == nil or ready.status == "True") then
  hs.status = "Healthy"
  hs.message = describe("Canary " .. phase, ready)
  return hs
end

hs.status = "Progressing"
local weight = ""
if status.canaryWeight ~= nil and status.canaryWeight > 0 then
  weight = ", canary weight " .. tostring(status.canaryWeight) .. "%"
end
hs.message = describe("Canary " .. phase .. weight, ready)
return hs
