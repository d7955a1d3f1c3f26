//go:build !js

package relay

import (
	"net/http"
	"strconv"

	"sambung/relay/internal/httpjson"
	"sambung/relay/store"
	"sambung/wire"
)

func (s *Server) deviceList(r *http.Request, d device) (wire.DeviceList, error) {
	_, devs, err := s.st.Person(r.Context(), d.person)
	if err != nil {
		return wire.DeviceList{}, err
	}
	return wire.DeviceList{Devices: deviceInfos(devs)}, nil
}

// deviceInfos is the public view of devs, never nil.
func deviceInfos(devs []store.Device) []wire.DeviceInfo {
	out := make([]wire.DeviceInfo, len(devs))
	for i := range devs {
		out[i] = devs[i].Info()
	}
	return out
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request, d device) error {
	l, err := s.deviceList(r, d)
	return reply(w, &l, err)
}

// handleRemoveDevice removes one of the person's devices: its token stops
// working at once, its websockets are closed, its mailbox is deleted.
func (s *Server) handleRemoveDevice(w http.ResponseWriter, r *http.Request, d device) error {
	n, err := strconv.ParseUint(r.PathValue("id"), 10, 32)
	if err != nil || n == 0 {
		return wire.Errorf(wire.CodeBadRequest, "a device id is an integer from 1")
	}
	gone := store.MailboxID{Person: d.person, Device: uint32(n)}
	if err := s.st.RemoveDevice(r.Context(), gone.Person, gone.Device); err != nil {
		return err
	}
	s.hub.kick(gone, wire.CodeDeviceRemoved)
	if err := s.st.Drop(r.Context(), gone); err != nil {
		return err
	}
	s.log.Info("device removed", "mailbox", gone.String())
	l, err := s.deviceList(r, d)
	if err != nil {
		return err
	}
	return httpjson.Write(w, http.StatusOK, &l)
}
